/**
 * HeyGen's video status.
 *
 * @module
 */

import type { Dialect } from "../dialect.ts";
import { defineDialect } from "./define.ts";
import { HEYGEN_SIGNATURE } from "../webhook_schemes/heygen.ts";
import type { JobSnapshot } from "../dialect.ts";

/**
 * `heygen-video`: HeyGen's video status, `GET /v1/video_status.get?video_id={id}`
 * with the key in `X-Api-Key`.
 *
 * The answer is `{"code": 100, "data": {…}, "message": "Success"}`.
 * `data.status` is `waiting`, `pending` (in queue) or `processing`
 * (rendering), then `completed` or `failed`; `data.video_url` is the video
 * (the link expires in 7 days), and a failed video's `data.error` is an
 * object whose `detail` says why. The reference gives no progress, no time
 * hint and no canceled word (a canceled job is written as `failed`). No
 * cancel request either: `DELETE /v1/video.delete?video_id=` deletes a
 * video, which is no cancel the reference promises for one still rendering,
 * so `cancel()` rejects for this preset. The
 * create request is not part of this preset: the reference pages found do
 * not document it.
 *
 * Its callbacks are signed the HeyGen way ({@linkcode HEYGEN_SIGNATURE}: a
 * `X-HeyGen-Signature` header, the hex HMAC-SHA256 of the body, no timestamp; see
 * that scheme for what could not be verified).
 *
 * Sources: https://docs.heygen.com/reference/video-status and
 * https://docs.heygen.com/reference/get-video-detail (the `waiting` word);
 * https://docs.heygen.com/reference/delete-a-video
 *
 * @example
 * ```ts
 * import { HEYGEN_VIDEO } from "./heygen_video.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(HEYGEN_VIDEO.jobPath("v1"), "/v1/video_status.get?video_id=v1");
 * const body = { code: 100, data: { id: "v1", status: "processing" }, message: "Success" };
 * assert.deepEqual(HEYGEN_VIDEO.read(body, new Headers(), 0), {
 *   result: "pending",
 *   status: "processing",
 *   payload: null,
 * });
 * ```
 */
export const HEYGEN_VIDEO: Dialect = defineDialect({
  name: "heygen-video",
  jobPath: "/v1/video_status.get?video_id={id}",
  authHeader: { name: "x-api-key" },
  webhookScheme: HEYGEN_SIGNATURE,
  statusField: "data.status",
  pending: ["waiting", "pending", "processing"],
  completed: ["completed"],
  error: ["failed"],
  errorField: "data.error.detail",
  payloadField: "data.video_url",
  idField: "data.id",
  shape: shapeOf,
});

/** The reference's body with every field null until the job has it. */
function shapeOf(job: JobSnapshot): Record<string, unknown> {
  const failed = job.status === "error" || job.status === "canceled";
  return {
    code: 100,
    data: {
      callback_id: null,
      caption_url: null,
      created_at: Math.floor(job.createdAt / 1000),
      duration: null,
      // The reference's failed example carries `code`, `detail` and
      // `message`; a simulated failure has no HeyGen code, only its text.
      error: failed ? { message: job.errorMessage ?? null } : null,
      gif_url: null,
      status: null,
      thumbnail_url: null,
      video_url: null,
      video_url_caption: null,
    },
    message: "Success",
  };
}
