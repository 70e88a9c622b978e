/**
 * `TimeoutError`: the whole wait outlived its timeout.
 *
 * @module
 */

import type { VideoStatus } from "../../protocol/status.ts";
import {
  hasName,
  VideoStatusError,
  type VideoStatusErrorOptions,
} from "./base.ts";
import { formatCount, formatDuration } from "../../util/format.ts";

/**
 * A whole wait exceeded its `timeout`. Its `name` is `"TimeoutError"`, like
 * the `DOMException` of `AbortSignal.timeout()`. One request that takes too
 * long is a {@linkcode RequestTimeoutError} instead.
 *
 * @example
 * ```ts
 * import { isTimeoutError, TimeoutError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const error = new TimeoutError(30_000, 3, "pending", { method: "GET", url: "http://x/status" });
 * assert.equal(error.name, "TimeoutError");
 * assert.equal(error.attempts, 3);
 * assert.equal(
 *   error.message,
 *   "Wait timed out after 30 s and 3 requests; last status was 'pending': GET http://x/status",
 * );
 * assert.ok(isTimeoutError(error));
 * ```
 */
export class TimeoutError extends VideoStatusError {
  /** The wait's time limit, in milliseconds. */
  readonly timeout: number;
  /** How many status requests the wait sent. */
  readonly attempts: number;
  /** The last status the server reported, if any. */
  readonly lastStatus: VideoStatus | undefined;

  /**
   * Creates a wait timeout error.
   *
   * @param timeout The wait's time limit in milliseconds.
   * @param attempts How many status requests were sent.
   * @param lastStatus The last status seen, if any.
   * @param options The request's method and URL; `cause`: what was under way.
   */
  constructor(
    timeout: number,
    attempts: number,
    lastStatus: VideoStatus | undefined,
    options: VideoStatusErrorOptions,
  ) {
    const seen = lastStatus ? `; last status was '${lastStatus}'` : "";
    super(
      `Wait timed out after ${formatDuration(timeout)} and ${
        formatCount(attempts, "request")
      }${seen}: ${options.method} ${options.url}`,
      options,
    );
    this.name = "TimeoutError";
    this.timeout = timeout;
    this.attempts = attempts;
    this.lastStatus = lastStatus;
  }
}

/**
 * Tells whether `error` is this library's {@linkcode TimeoutError} (a whole
 * wait timed out), from this realm or another. A `DOMException` named
 * `TimeoutError` is not one.
 *
 * @example
 * ```ts
 * import { isTimeoutError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isTimeoutError(new DOMException("t", "TimeoutError")), false);
 * ```
 *
 * @param error Anything caught.
 * @returns Whether it is this library's `TimeoutError`.
 */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return error instanceof TimeoutError ||
    (hasName(error, "TimeoutError") && !(error instanceof DOMException) &&
      typeof (error as { timeout?: unknown }).timeout === "number");
}
