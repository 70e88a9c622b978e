/**
 * The answers every route shares: a job's status body and hint, and the
 * refusals when the simulator closes, is full or the client has gone.
 *
 * @module
 */

import { retryAfterHint } from "../protocol/prefer.ts";
import type { SimulatorContext } from "./context.ts";
import { errorResponse } from "./http.ts";
import type { Job } from "./jobs.ts";

/**
 * A job's status body, as the dialect writes it: the one function that turns
 * a job into what `GET`, `POST /jobs`, event streams and pushes send. The
 * default job of `GET /status` names no job (the seed's `{"result": …}`), so
 * the fields holding its id are left out.
 *
 * @example
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator({ minDuration: 60_000, maxDuration: 60_000 });
 * const response = await simulator.fetch(new Request("http://localhost/status"));
 * assert.deepEqual(await response.json(), { result: "pending" });
 * ```
 *
 * @param context The simulator.
 * @param job The job.
 * @returns The body.
 */
export function statusBody(
  context: SimulatorContext,
  job: Job,
): Record<string, unknown> {
  const body = context.dialect.write(job.snapshot(context.clock.now()));
  if (job !== context.defaultJob) return body;
  for (const [name, value] of Object.entries(body)) {
    if (value === job.id) delete body[name];
  }
  return body;
}

/**
 * The `Retry-After` hint of a pending job (when it should be done), unless the
 * simulator is legacy or the job is final.
 *
 * @example
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator({ minDuration: 6_000, maxDuration: 6_000 });
 * const response = await simulator.fetch(new Request("http://localhost/status"));
 * assert.equal(response.headers.get("retry-after"), "3");
 * await response.body?.cancel();
 * ```
 *
 * @param context The simulator.
 * @param job The job.
 * @returns The headers to add.
 */
export function hintHeaders(
  context: SimulatorContext,
  job: Job,
): Record<string, string> {
  const now = context.clock.now();
  return !context.config.legacy && job.status(now) === "pending"
    ? { "Retry-After": String(retryAfterHint(job.finishAt - now)) }
    : {};
}

/**
 * The `503` of a simulator that is shutting down.
 *
 * @example
 * ```ts
 * import { closedResponse } from "./answers.ts";
 * import assert from "node:assert/strict";
 *
 * const response = closedResponse();
 * assert.equal(response.status, 503);
 * await response.body?.cancel();
 * ```
 *
 * @returns The response.
 */
export function closedResponse(): Response {
  return errorResponse(503, "Cannot answer as the simulator is shutting down", {
    "Retry-After": "1",
    "Connection": "close",
  });
}

/**
 * The `503` of a simulator that already holds `maxHeld` requests.
 *
 * @example
 * ```ts
 * import { busyResponse } from "./answers.ts";
 * import assert from "node:assert/strict";
 *
 * const response = busyResponse(10);
 * assert.equal(response.headers.get("retry-after"), "1");
 * await response.body?.cancel();
 * ```
 *
 * @param maxHeld How many requests may be held.
 * @returns The response.
 */
export function busyResponse(maxHeld: number): Response {
  return errorResponse(
    503,
    `Cannot hold the request as ${maxHeld} requests are already held`,
    { "Retry-After": "1" },
  );
}

/**
 * The answer to a client that has gone. Status 499 ("client closed request")
 * is never seen by anyone; it only lets the handler finish.
 *
 * @example
 * ```ts
 * import { goneResponse } from "./answers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(goneResponse().status, 499);
 * ```
 *
 * @returns The response.
 */
export function goneResponse(): Response {
  return new Response(null, { status: 499 });
}
