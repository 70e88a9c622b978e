/**
 * A job's cancel request, at the dialect's cancel path
 * (`POST /jobs/{id}/cancel` in `video-status`).
 *
 * @module
 */

import { statusBody } from "../answers.ts";
import type { SimulatorContext } from "../context.ts";
import { jsonResponse } from "../http.ts";
import type { Job } from "../jobs.ts";

/**
 * Cancels a job that is still pending: it ends at once as `canceled`
 * (written with the dialect's canceled word, `error` with the reason
 * `canceled` in `video-status`), and every long-poll, event stream,
 * WebSocket and callback waiting on it hears so. A job already final stays
 * as it was. Answers `200` with the job as the dialect writes it, or with
 * `{}` where the dialect's answer is empty (Google's).
 *
 * @example Cancel a job and read it
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator();
 * const created = await simulator.fetch(
 *   new Request("http://localhost/jobs", { method: "POST", body: '{"duration": 60}' }),
 * );
 * const { id } = await created.json();
 * const canceled = await simulator.fetch(
 *   new Request(`http://localhost/jobs/${id}/cancel`, { method: "POST" }),
 * );
 * assert.equal(canceled.status, 200);
 * assert.deepEqual(await canceled.json(), { id, result: "error", reason: "canceled" });
 * ```
 *
 * @param context The simulator.
 * @param job The job to cancel.
 * @returns The response.
 */
export function cancelJob(context: SimulatorContext, job: Job): Response {
  const { store, scheduler, clock, dialect } = context;
  store.cancel(job, scheduler, clock.now());
  const body = dialect.cancelRequest?.answer === "empty"
    ? {}
    : statusBody(context, job);
  return jsonResponse(200, body);
}
