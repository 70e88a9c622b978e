/**
 * WebSocket push of a job's status: the same JSON as `GET` at once, again on
 * each change and every `heartbeatInterval` (15 s) so idle clients and
 * proxies keep the socket, then a close (1000) after the final status. Each
 * socket counts toward `maxHeld` until the client leaves or the simulator
 * closes it (1001). The bytes are the adapter's; this is the same for all.
 *
 * @module
 */

import { busyResponse, statusBody } from "./answers.ts";
import type { SimulatorContext } from "./context.ts";
import type { Job } from "./jobs.ts";
import {
  acceptKey,
  checkHandshake,
  switchingHead,
} from "./websocket/handshake.ts";
import { type ByteChannel, ServerWebSocket } from "./websocket/socket.ts";

export type { ByteChannel } from "./websocket/socket.ts";

/**
 * An accepted WebSocket upgrade: the adapter hands it the connection's bytes
 * and it writes the `101` answer and runs the socket until it closes.
 *
 * @example
 * ```ts
 * import type { WebSocketUpgrade } from "@video-status/client/server";
 *
 * const refuse = (upgrade: WebSocketUpgrade | Response): boolean =>
 *   upgrade instanceof Response;
 * ```
 */
export interface WebSocketUpgrade {
  /**
   * Writes the `101` answer, then pushes statuses on `channel` until the
   * socket closes.
   *
   * @param channel The connection's bytes, from right after the request's head.
   * @returns A promise that resolves once the connection is closed.
   */
  run(channel: ByteChannel): Promise<void>;
}

/**
 * Accepts an upgrade request on a job, or answers why not: a bad handshake
 * (`400`, `426`) or `maxHeld` reached (`503`).
 *
 * @example A job that is already final: one message, then close 1000
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator({ minDuration: 0, maxDuration: 0, errorRate: 0 });
 * const upgrade = await simulator.upgrade(
 *   new Request("http://localhost/status", {
 *     headers: {
 *       Upgrade: "websocket",
 *       Connection: "Upgrade",
 *       "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
 *       "Sec-WebSocket-Version": "13",
 *     },
 *   }),
 * );
 * assert.ok(!(upgrade instanceof Response));
 * const written: Uint8Array[] = [];
 * await upgrade.run({
 *   read: () => Promise.resolve(null),
 *   write: (bytes) => {
 *     written.push(bytes);
 *     return Promise.resolve();
 *   },
 *   close() {},
 * });
 * assert.match(new TextDecoder().decode(written[0]), /^HTTP\/1\.1 101 /);
 * assert.equal(new TextDecoder().decode(written[1]!.subarray(2)), '{"result":"completed"}');
 * assert.equal(written[2]![0], 0x88);
 * ```
 *
 * @param context The simulator.
 * @param request The upgrade request.
 * @param job The job to follow.
 * @returns The upgrade, or the response that refuses it.
 */
export async function openPush(
  context: SimulatorContext,
  request: Request,
  job: Job,
): Promise<WebSocketUpgrade | Response> {
  const key = checkHandshake(request);
  if (key instanceof Response) return key;
  const accept = await acceptKey(key);
  const { config, holds } = context;
  if (holds.size >= config.maxHeld) return busyResponse(config.maxHeld);
  return {
    async run(channel: ByteChannel): Promise<void> {
      await channel.write(switchingHead(accept)).catch(() => channel.close());
      const socket = new ServerWebSocket(channel);
      const push = (): void =>
        socket.send(JSON.stringify(statusBody(context, job)));
      push();
      if (holds.closed) socket.close(1001, "The simulator is shutting down");
      if (job.status(context.clock.now()) !== "pending") socket.close(1000);
      if (socket.closing) return await socket.done;
      const stop = (): void => {
        unwatch();
        stopBeat();
        holds.delete(release);
      };
      const release = (): void => {
        stop();
        socket.close(1001, "The simulator is shutting down");
      };
      const unwatch = job.onFinish(context.scheduler, () => {
        stop();
        push();
        socket.close(1000);
      });
      const stopBeat = context.heartbeat.add(push);
      holds.add(release);
      await socket.done;
      stop();
    },
  };
}
