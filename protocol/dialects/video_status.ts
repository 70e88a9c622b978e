/**
 * The default dialect: this library's own API, the one its simulator speaks
 * by default.
 *
 * @module
 */

import type { Dialect } from "../dialect.ts";
import { defineDialect } from "./define.ts";

/**
 * `video-status`: `GET /jobs/{id}` answers `{"id": …, "result": "pending" |
 * "completed" | "error"}`; `POST /jobs` creates a job. A canceled job reads
 * as `error`. No progress, no payload field (the payload is the body), no
 * auth header.
 *
 * @example
 * ```ts
 * import { VIDEO_STATUS } from "./video_status.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(VIDEO_STATUS.jobPath("a1"), "/jobs/a1");
 * const reading = VIDEO_STATUS.read({ result: "completed" }, new Headers(), 0);
 * assert.deepEqual(reading, {
 *   result: "completed",
 *   status: "completed",
 *   payload: { result: "completed" },
 * });
 * ```
 */
export const VIDEO_STATUS: Dialect = defineDialect({
  name: "video-status",
  jobPath: "/jobs/{id}",
  createPath: "/jobs",
  statusField: "result",
  idField: "id",
  pending: ["pending"],
  completed: ["completed"],
  error: ["error"],
});
