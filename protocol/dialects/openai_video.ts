/**
 * OpenAI's Videos API.
 *
 * @module
 */

import type { Dialect, JobSnapshot } from "../dialect.ts";
import { defineDialect } from "./define.ts";
import { STANDARD_WEBHOOKS } from "../webhook_schemes/standard.ts";

/**
 * `openai-video`: an OpenAI video job, `GET /v1/videos/{video_id}` with
 * `Authorization: Bearer KEY`; jobs are created by `POST /v1/videos`, whose
 * answer is the job.
 *
 * `status` is `queued` or `in_progress`, then `completed` or `failed`;
 * `progress` is an approximate percentage (0–100); a failed job's `error`
 * is `{code, message}`. The body holds no video URL: the finished MP4 is
 * fetched from `GET /v1/videos/{video_id}/content`, so the payload is the
 * whole body. The reference gives no time hint and no canceled word (a
 * canceled job is written as `failed`). No cancel request: `DELETE
 * /v1/videos/{video_id}` "permanently delete[s] a completed or failed video
 * and its stored assets", so it stops nothing still running, and
 * `cancel()` rejects for this preset.
 *
 * OpenAI's webhooks follow Standard Webhooks ({@linkcode STANDARD_WEBHOOKS};
 * https://developers.openai.com/api/docs/guides/webhooks). Not verified:
 * which events the Videos API sends; the event reference found
 * (https://developers.openai.com/api/docs/api-reference/webhook-events)
 * shows `response.*` and other events, and OpenAI's events carry the job's
 * id under `data.id`, not this preset's job body.
 *
 * Sources: https://developers.openai.com/api/docs/guides/video-generation and
 * https://developers.openai.com/api/reference/python/resources/videos/methods/retrieve/
 * and .../videos/methods/delete/ (delete)
 *
 * @example
 * ```ts
 * import { OPENAI_VIDEO } from "./openai_video.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(OPENAI_VIDEO.jobPath("video_1"), "/v1/videos/video_1");
 * const body = { id: "video_1", object: "video", status: "in_progress", progress: 33 };
 * assert.deepEqual(OPENAI_VIDEO.read(body, new Headers(), 0), {
 *   result: "pending",
 *   status: "in_progress",
 *   progress: 0.33,
 *   payload: body,
 * });
 * ```
 */
export const OPENAI_VIDEO: Dialect = defineDialect({
  name: "openai-video",
  jobPath: "/v1/videos/{id}",
  createPath: "/v1/videos",
  authHeader: { name: "authorization", scheme: "Bearer" },
  webhookScheme: STANDARD_WEBHOOKS,
  statusField: "status",
  pending: ["queued", "in_progress"],
  completed: ["completed"],
  error: ["failed"],
  progressField: "progress",
  progressScale: 100,
  errorField: "error.message",
  idField: "id",
  shape: shapeOf,
});

/**
 * A video job as the reference's example shows one. `model`, `size` and
 * `seconds` are the example's values: a simulated job has none of its own.
 */
function shapeOf(job: JobSnapshot): Record<string, unknown> {
  const failed = job.status === "error" || job.status === "canceled";
  return {
    object: "video",
    model: "sora-2",
    created_at: Math.floor(job.createdAt / 1000),
    completed_at: job.finishedAt === undefined
      ? null
      : Math.floor(job.finishedAt / 1000),
    size: "1024x1792",
    seconds: "8",
    // The reference's error also has a machine-readable `code`; a simulated
    // failure has only its text, so no code is made up.
    error: failed ? { message: null } : null,
  };
}
