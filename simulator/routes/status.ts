/**
 * `GET /status` and a job's status path (the dialect's; `/jobs/{id}`,
 * `/status/{id}` and `/status?job_id={id}` in `video-status`): a job's
 * status as the dialect writes it, held as a long-poll
 * when the client sends `Prefer: wait=N` and the job is pending.
 *
 * @module
 */

import { formatAppliedWait, parsePreferWait } from "../../protocol/prefer.ts";
import {
  busyResponse,
  goneResponse,
  hintHeaders,
  statusBody,
} from "../answers.ts";
import type { SimulatorContext } from "../context.ts";
import { dropAfter } from "../faults.ts";
import { jsonResponse } from "../http.ts";
import type { Job } from "../jobs.ts";

/**
 * Answers a status request, holding it first when it asks to wait, and
 * cutting its body short when `resetRate` draws it.
 *
 * @example A long-poll answered when the job completes
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import { FakeClock } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * await using simulator = createSimulator({ clock, minDuration: 2_000, maxDuration: 2_000, errorRate: 0 });
 * const start = clock.now();
 * const response = await simulator.fetch(
 *   new Request("http://localhost/status", { headers: { Prefer: "wait=10" } }),
 * );
 * assert.deepEqual(await response.json(), { result: "completed" });
 * assert.equal(clock.now() - start, 2_000);
 * ```
 *
 * @param context The simulator.
 * @param request A `GET` or `HEAD` request.
 * @param job The job asked about.
 * @returns The response.
 */
export async function answerStatus(
  context: SimulatorContext,
  request: Request,
  job: Job,
): Promise<Response> {
  const { config, clock, holds, random } = context;
  let applied: number | undefined;
  if (!config.legacy && request.method === "GET" && config.maxWait > 0) {
    const wait = parsePreferWait(request.headers.get("Prefer"));
    if (wait !== undefined) {
      applied = Math.min(wait, config.maxWait);
      if (applied > 0 && job.status(clock.now()) === "pending") {
        if (holds.size >= config.maxHeld) return busyResponse(config.maxHeld);
        const end = await holds.hold(
          clock.now() + applied,
          request.signal,
          job,
        );
        if (end === "aborted") return goneResponse();
      }
    }
  }
  const headers: Record<string, string> = hintHeaders(context, job);
  if (!config.legacy) headers["Vary"] = "Prefer";
  if (applied !== undefined) {
    headers["Preference-Applied"] = formatAppliedWait(applied);
  }
  const response = jsonResponse(200, statusBody(context, job), headers);
  if (
    config.resetRate === 0 || request.method !== "GET" ||
    random() >= config.resetRate
  ) return response;
  const bytes = new Uint8Array(await response.arrayBuffer());
  const cut = Math.floor(random() * bytes.byteLength);
  return new Response(dropAfter(new Response(bytes).body!, cut), response);
}
