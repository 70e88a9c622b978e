/**
 * `GET /status/events` and a job's status path plus `/events` (`GET
 * /jobs/{id}/events` in `video-status`): a job's status, as the dialect
 * writes it, as Server-Sent Events: the current one at once and the final
 * one when it comes.
 *
 * @module
 */

import { busyResponse, statusBody } from "../answers.ts";
import type { SimulatorContext } from "../context.ts";
import { formatStatusEvent, HEARTBEAT_COMMENT } from "../events.ts";
import { dropAfter } from "../faults.ts";
import type { Job } from "../jobs.ts";

const encoder = new TextEncoder();

/**
 * Opens an event stream on a job. It ends after the final status, when the
 * client goes away, or when the simulator closes; heartbeats keep it alive
 * meanwhile.
 *
 * @example A stream on a job that is already final ends after one event
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator({ minDuration: 0, maxDuration: 0, errorRate: 0 });
 * const response = await simulator.fetch(new Request("http://localhost/status/events"));
 * assert.equal(response.headers.get("content-type"), "text/event-stream");
 * assert.equal(await response.text(), 'event: status\ndata: {"result":"completed"}\n\n');
 * ```
 *
 * @param context The simulator.
 * @param request A `GET` or `HEAD` request.
 * @param job The job to follow.
 * @returns The streaming response.
 */
export function streamEvents(
  context: SimulatorContext,
  request: Request,
  job: Job,
): Response {
  const { config, clock, holds, random } = context;
  const headers = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-store",
  };
  if (request.method === "HEAD") {
    return new Response(null, { status: 200, headers });
  }
  if (holds.size >= config.maxHeld) return busyResponse(config.maxHeld);
  const first = formatStatusEvent(statusBody(context, job));
  let cleanup: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller): void {
      controller.enqueue(encoder.encode(first));
      if (job.status(clock.now()) !== "pending" || holds.closed) {
        controller.close();
        return;
      }
      const signal = request.signal;
      let open = true;
      const send = (text: string): void => {
        if (open) controller.enqueue(encoder.encode(text));
      };
      cleanup = (): void => {
        if (!open) return;
        open = false;
        unwatch();
        stopBeat();
        signal.removeEventListener("abort", end);
        holds.delete(end);
      };
      const end = (): void => {
        if (!open) return;
        cleanup?.();
        controller.close();
      };
      const unwatch = job.onFinish(context.scheduler, () => {
        send(formatStatusEvent(statusBody(context, job)));
        end();
      });
      const stopBeat = context.heartbeat.add(() => send(HEARTBEAT_COMMENT));
      signal.addEventListener("abort", end, { once: true });
      holds.add(end);
      if (signal.aborted) end();
    },
    cancel(): void {
      cleanup?.();
    },
  });
  if (config.resetRate > 0 && random() < config.resetRate) {
    const cut = Math.floor(random() * encoder.encode(first).byteLength);
    return new Response(dropAfter(stream, cut), { status: 200, headers });
  }
  return new Response(stream, { status: 200, headers });
}
