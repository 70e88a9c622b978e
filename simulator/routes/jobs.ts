/**
 * `POST /jobs`: creates a job, drawn from the options or scripted by the body.
 *
 * @module
 */

import { MAX_BODY_BYTES, readBoundedText } from "../../protocol/body.ts";
import { hintHeaders, statusBody } from "../answers.ts";
import type { SimulatorContext } from "../context.ts";
import { errorResponse, jsonResponse } from "../http.ts";
import { parseJobRequest } from "../job_request.ts";

/**
 * Creates a job: `201` with its status body and `Location: /jobs/{id}`;
 * `400` for a bad body, `413` for one over {@linkcode MAX_BODY_BYTES}, `503`
 * when the store is full of pending jobs.
 *
 * @example A job scripted to fail after half a second
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator();
 * const response = await simulator.fetch(
 *   new Request("http://localhost/jobs", {
 *     method: "POST",
 *     body: JSON.stringify({ duration: 0.5, outcome: "error" }),
 *   }),
 * );
 * assert.equal(response.status, 201);
 * assert.match(response.headers.get("location")!, /^\/jobs\/\w+$/);
 * assert.equal((await response.json()).result, "pending");
 * ```
 *
 * @param context The simulator.
 * @param request The `POST` request.
 * @returns The response.
 */
export async function createJob(
  context: SimulatorContext,
  request: Request,
): Promise<Response> {
  const { config, clock, store, jobs } = context;
  const text = await readJobBody(request);
  if (text instanceof Response) return text;
  const script = parseJobRequest(text);
  if (typeof script === "string") return errorResponse(400, script);
  const job = jobs.draw(jobs.nextId(), script.duration, script.outcome);
  const now = clock.now();
  if (!store.add(job, now)) {
    const wait = Math.ceil(((store.nextFinish() ?? now) - now) / 1_000);
    return errorResponse(
      503,
      `Cannot create a job as all ${config.maxJobs} stored jobs are still pending`,
      { "Retry-After": String(Math.max(1, wait)) },
    );
  }
  return jsonResponse(201, statusBody(context, job), {
    "Location": `/jobs/${job.id}`,
    ...hintHeaders(context, job),
  });
}

/** The body as text, or the error response that refuses it. */
async function readJobBody(request: Request): Promise<string | Response> {
  const tooLarge = (): Response =>
    errorResponse(
      413,
      `Cannot create a job as the body must not exceed ${MAX_BODY_BYTES} bytes`,
    );
  // A body announced too large is refused without reading it.
  if (Number(request.headers.get("Content-Length") ?? "0") > MAX_BODY_BYTES) {
    await request.body?.cancel().catch(() => {});
    return tooLarge();
  }
  try {
    const { text, truncated } = await readBoundedText(request, MAX_BODY_BYTES, {
      fatal: true,
    });
    return truncated ? tooLarge() : text;
  } catch {
    return errorResponse(
      400,
      "Cannot create a job as the body must be readable UTF-8 text",
    );
  }
}
