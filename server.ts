/**
 * A simulator of the video translation status API: a pure `fetch` handler
 * ({@linkcode createSimulator}) that tests call without a socket, and a thin,
 * runtime-agnostic {@linkcode serve} that puts it on a port. Its `dialect`
 * option makes it answer like another job API (a preset of the client, such
 * as `replicate` or `openai-video`), with `apiKey` required in that API's
 * auth header.
 *
 * Run it from the command line with `deno run --allow-net server.ts --help`.
 *
 * @example Answer a request without a socket
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator({ minDuration: 60_000, maxDuration: 60_000 });
 * const response = await simulator.fetch(new Request("http://localhost/status"));
 * assert.deepEqual(await response.json(), { result: "pending" });
 * ```
 *
 * @example Answer like OpenAI's video API, with a key
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator({ dialect: "openai-video", apiKey: "sk-test" });
 * const created = await simulator.fetch(
 *   new Request("http://localhost/jobs", {
 *     method: "POST",
 *     headers: { authorization: "Bearer sk-test" },
 *     body: JSON.stringify({ duration: 0, outcome: "completed" }),
 *   }),
 * );
 * assert.match(created.headers.get("location")!, /^\/v1\/videos\/\w+$/);
 * assert.equal((await created.json()).status, "completed");
 * ```
 *
 * @example Serve on a free port
 * ```ts ignore
 * import { serve } from "@video-status/client/server";
 *
 * await using server = await serve({ port: 0, seed: 7 });
 * console.log(`Listening on ${server.url}`);
 * ```
 *
 * @module
 */

export { MAX_BODY_BYTES } from "./protocol/body.ts";
// The type of `SimulatorOptions.clock`, the same as the client's.
export type { Clock } from "./timing/clock.ts";
export {
  type ByteChannel,
  type CreatedJob,
  createSimulator,
  type Simulator,
  type SimulatorOptions,
  type SimulatorRequestInfo,
  type SimulatorStats,
  type WebSocketUpgrade,
} from "./simulator/simulator.ts";
export type { SimulatorDialectOptions } from "./simulator/dialect_options.ts";
export type { SimulatorWebhookOptions } from "./simulator/webhook_options.ts";
export {
  serve,
  type ServeOptions,
  type SimulatorServer,
} from "./simulator/serve.ts";

// The command line (and with it `node:process`) loads only when this file is
// run as a program, never when it is imported as a library.
if (import.meta.main) {
  void import("./simulator/cli.ts").then(({ runCli }) => runCli());
}
