/**
 * HeyGen's video translation status.
 *
 * @module
 */

import type { Dialect } from "../dialect.ts";
import { defineDialect } from "./define.ts";
import { HEYGEN_SIGNATURE } from "../webhook_schemes/heygen.ts";

/**
 * `heygen-translate`: HeyGen's video translation status,
 * `GET /v2/video_translate/{video_translate_id}` with the key in `X-Api-Key`;
 * jobs are created by `POST /v2/video_translate`, whose answer holds
 * `data.video_translate_id`.
 *
 * The answer is `{"error": null, "data": {"video_translate_id", "title",
 * "status", "url", "message"}}`. `data.status` is `pending` (waiting in
 * queue) or `running` (rendering), then `success` or `failed`; `data.url` is
 * the translated video (expires in 7 days), `data.message` the error detail.
 * The reference gives no progress, no time hint and no canceled word (a
 * canceled job is written as `failed`). Nor a cancel request: the reference
 * documents none for translations (`DELETE /v1/video.delete` deletes
 * avatar videos, not translations), so `cancel()` rejects for this preset.
 *
 * Its callbacks are signed the HeyGen way ({@linkcode HEYGEN_SIGNATURE}: a
 * `X-HeyGen-Signature` header, the hex HMAC-SHA256 of the body, no timestamp; see
 * that scheme for what could not be verified).
 *
 * Sources: https://docs.heygen.com/reference/video-translate-status,
 * https://docs.heygen.com/docs/video-translate-api and
 * https://docs.heygen.com/reference/delete-a-video
 *
 * @example
 * ```ts
 * import { HEYGEN_TRANSLATE } from "./heygen_translate.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(HEYGEN_TRANSLATE.jobPath("t1"), "/v2/video_translate/t1");
 * const body = { error: null, data: { status: "running", url: null, message: null } };
 * assert.deepEqual(HEYGEN_TRANSLATE.read(body, new Headers(), 0), {
 *   result: "pending",
 *   status: "running",
 *   payload: null,
 * });
 * ```
 */
export const HEYGEN_TRANSLATE: Dialect = defineDialect({
  name: "heygen-translate",
  jobPath: "/v2/video_translate/{id}",
  createPath: "/v2/video_translate",
  authHeader: { name: "x-api-key" },
  webhookScheme: HEYGEN_SIGNATURE,
  statusField: "data.status",
  pending: ["pending", "running"],
  completed: ["success"],
  error: ["failed"],
  errorField: "data.message",
  payloadField: "data.url",
  idField: "data.video_translate_id",
  shape: () => ({
    error: null,
    // The reference's example title; simulated jobs have none of their own.
    data: { title: "New Video", url: null, message: null },
  }),
});
