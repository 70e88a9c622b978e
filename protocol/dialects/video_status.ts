/**
 * The default dialect: this library's own API, the one its simulator speaks
 * by default.
 *
 * @module
 */

import {
  type Dialect,
  isReadProblem,
  type JobSnapshot,
  type Reading,
  type ReadProblem,
} from "../dialect.ts";
import { getText } from "./_fields.ts";
import { defineDialect } from "./define.ts";

/** The `reason` of a job stopped by `POST /jobs/{id}/cancel`. */
const CANCELED = "canceled";

const BUILT = defineDialect({
  name: "video-status",
  jobPath: "/jobs/{id}",
  createPath: "/jobs",
  statusField: "result",
  idField: "id",
  pending: ["pending"],
  completed: ["completed"],
  error: ["error"],
  cancelRequest: { method: "POST", path: "/jobs/{id}/cancel", answer: "job" },
});

/**
 * `video-status`: `GET /jobs/{id}` answers `{"id": …, "result": "pending" |
 * "completed" | "error"}`; `POST /jobs` creates a job and
 * `POST /jobs/{id}/cancel` stops one, which then answers
 * `{"result": "error", "reason": "canceled"}` (read as an `error` whose
 * message is the reason). No progress, no payload field (the payload is the
 * body), no auth header.
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
 * const canceled = { result: "error", reason: "canceled" };
 * assert.deepEqual(VIDEO_STATUS.read(canceled, new Headers(), 0), {
 *   result: "error",
 *   status: "error",
 *   error: "canceled",
 *   payload: canceled,
 * });
 * ```
 */
export const VIDEO_STATUS: Dialect = {
  ...BUILT,
  read(body: unknown, headers: Headers, now: number): Reading | ReadProblem {
    const reading = BUILT.read(body, headers, now);
    if (isReadProblem(reading) || reading.result !== "error") return reading;
    const reason = getText(body, "reason");
    return reason === undefined ? reading : { ...reading, error: reason };
  },
  write(job: JobSnapshot): Record<string, unknown> {
    const body = BUILT.write(job);
    // Only a canceled job says why: a failed one keeps the seed's body.
    if (job.status === "canceled") body.reason = CANCELED;
    return body;
  },
};
