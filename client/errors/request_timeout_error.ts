/**
 * `RequestTimeoutError`: one request, or a silent event stream, took too long.
 *
 * @module
 */

import {
  hasName,
  VideoStatusError,
  type VideoStatusErrorOptions,
} from "./base.ts";
import { formatDuration } from "../../util/format.ts";

/**
 * One request took longer than `requestTimeout` (plus the long-poll hold),
 * or an event stream stayed silent that long. A wait retries it.
 *
 * @example
 * ```ts
 * import { isRequestTimeoutError, RequestTimeoutError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const error = new RequestTimeoutError(10_000, { method: "GET", url: "http://x/status" });
 * assert.equal(error.timeout, 10_000);
 * assert.equal(error.message, "Request timed out after 10 s: GET http://x/status");
 * assert.ok(isRequestTimeoutError(error));
 * ```
 */
export class RequestTimeoutError extends VideoStatusError {
  /** The request's time limit, in milliseconds. */
  readonly timeout: number;

  /**
   * Creates a request timeout error.
   *
   * @param timeout The request's time limit in milliseconds.
   * @param options The request's method and URL.
   */
  constructor(timeout: number, options: VideoStatusErrorOptions) {
    super(
      `Request timed out after ${
        formatDuration(timeout)
      }: ${options.method} ${options.url}`,
      options,
    );
    this.name = "RequestTimeoutError";
    this.timeout = timeout;
  }
}

/**
 * Tells whether `error` is a {@linkcode RequestTimeoutError}, from this realm
 * or another.
 *
 * @example
 * ```ts
 * import { isRequestTimeoutError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isRequestTimeoutError(new Error("x")), false);
 * ```
 *
 * @param error Anything caught.
 * @returns Whether it is a `RequestTimeoutError`.
 */
export function isRequestTimeoutError(
  error: unknown,
): error is RequestTimeoutError {
  return error instanceof RequestTimeoutError ||
    hasName(error, "RequestTimeoutError");
}
