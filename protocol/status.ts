/**
 * The wire protocol shared by the client and the simulator: status values,
 * response bodies and the headers both sides speak.
 *
 * @module
 */

/**
 * Every status a translation job can report.
 *
 * @example Narrow a status
 * ```ts
 * import { isVideoStatus } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isVideoStatus("pending"), true);
 * assert.equal(isVideoStatus("done"), false);
 * ```
 */
export type VideoStatus = "pending" | "completed" | "error";

/**
 * A status after which a job never changes again.
 *
 * @example Use as a return type
 * ```ts
 * import type { FinalStatus } from "@video-status/client";
 *
 * const status: FinalStatus = "completed";
 * ```
 */
export type FinalStatus = Exclude<VideoStatus, "pending">;

/**
 * The status values, in the order a job passes through them.
 *
 * @example List them
 * ```ts
 * import { VIDEO_STATUSES } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(VIDEO_STATUSES, ["pending", "completed", "error"]);
 * ```
 */
export const VIDEO_STATUSES: readonly VideoStatus[] = Object.freeze([
  "pending",
  "completed",
  "error",
]);

/**
 * Tells whether a value is one of the {@linkcode VideoStatus} strings.
 *
 * @example Check a parsed body
 * ```ts
 * import { isVideoStatus } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isVideoStatus(JSON.parse('{"result":"error"}').result), true);
 * ```
 *
 * @param value Any value.
 * @returns `true` when `value` is `"pending"`, `"completed"` or `"error"`.
 */
export function isVideoStatus(value: unknown): value is VideoStatus {
  return value === "pending" || value === "completed" || value === "error";
}

/**
 * Tells whether a status is final (`"completed"` or `"error"`).
 *
 * @example
 * ```ts
 * import { isFinalStatus } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isFinalStatus("pending"), false);
 * assert.equal(isFinalStatus("completed"), true);
 * ```
 *
 * @param status A status.
 * @returns `true` unless the status is `"pending"`.
 */
export function isFinalStatus(status: VideoStatus): status is FinalStatus {
  return status !== "pending";
}
