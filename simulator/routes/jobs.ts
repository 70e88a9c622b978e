/**
 * `POST /jobs` (and `POST` at the dialect's create path): creates a job,
 * drawn from the options or scripted by the body, and answers with it as the
 * dialect writes it.
 *
 * @module
 */

import { MAX_BODY_BYTES, readBoundedText } from "../../protocol/body.ts";
import { formatAppliedWait, parsePreferWait } from "../../protocol/prefer.ts";
import {
  busyResponse,
  goneResponse,
  hintHeaders,
  statusBody,
} from "../answers.ts";
import type { SimulatorContext } from "../context.ts";
import { errorResponse, EXPOSED_HEADERS, jsonResponse } from "../http.ts";
import type { Job } from "../jobs.ts";
import { parseJobRequest } from "../job_request.ts";

/** The longest a create may be held by `Prefer: wait=N`, as Replicate's. */
const MAX_CREATE_WAIT = 60_000;

/**
 * Creates a job: `201` with its status body and its status path (the
 * dialect's) as `Location` and as the dialect's `locationHeader`. Where the
 * dialect has `preferWait`, `Prefer: wait=N` holds the answer until the job
 * ends or N seconds (at most 60) pass. With `callback_url`, the job's final
 * status is POSTed there when it ends (see `webhooks.ts`). `400` for a bad body, `413` for one over {@linkcode MAX_BODY_BYTES}, `503`
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
  const script = parseJobRequest(text, context.webhookConfig);
  if (typeof script === "string") return errorResponse(400, script);
  const preferred = context.dialect.preferWait && !config.legacy
    ? parsePreferWait(request.headers.get("Prefer"))
    : undefined;
  // Refused before the job exists, so that no one is left without its id.
  if (
    preferred !== undefined && preferred > 0 &&
    context.holds.size >= config.maxHeld
  ) {
    return busyResponse(config.maxHeld);
  }
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
  const callbackUrl = script.callbackUrl;
  if (callbackUrl !== undefined) {
    // One event per job, so the job's id makes its `webhook-id` unique.
    job.onFinish(context.scheduler, () =>
      context.webhooks.send({
        url: callbackUrl,
        id: `msg_${job.id}`,
        body: JSON.stringify(statusBody(context, job)),
      }));
  }
  context.onJobCreated?.({
    id: job.id,
    createdAt: job.createdAt,
    finishAt: job.finishAt,
  });
  const headers: Record<string, string> = {};
  if (preferred !== undefined) {
    const applied = Math.min(preferred, MAX_CREATE_WAIT);
    const end = await holdCreate(context, request, job, applied);
    if (end === "aborted") return goneResponse();
    headers["Preference-Applied"] = formatAppliedWait(applied);
  }
  const location = context.dialect.jobPath(job.id);
  headers["Location"] = location;
  const named = context.dialect.locationHeader;
  if (named !== undefined && named.toLowerCase() !== "location") {
    headers[named] = location;
    headers["Access-Control-Expose-Headers"] = `${EXPOSED_HEADERS}, ${named}`;
  }
  return jsonResponse(201, statusBody(context, job), {
    ...headers,
    ...hintHeaders(context, job),
  });
}

/** Holds a create that asks to wait until the job ends or `applied` ms pass. */
async function holdCreate(
  context: SimulatorContext,
  request: Request,
  job: Job,
  applied: number,
): Promise<"aborted" | undefined> {
  const { clock, holds } = context;
  if (applied === 0 || job.status(clock.now()) !== "pending") return undefined;
  const end = await holds.hold(clock.now() + applied, request.signal, job);
  return end === "aborted" ? end : undefined;
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
