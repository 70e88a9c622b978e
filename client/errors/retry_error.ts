/**
 * `RetryError`: too many consecutive requests failed.
 *
 * @module
 */

import {
  hasName,
  VideoStatusError,
  type VideoStatusErrorOptions,
} from "./base.ts";
import { formatCount, printable } from "../../util/format.ts";

/**
 * Too many consecutive requests failed (network errors, request timeouts,
 * 408, 5xx but 501 and 505, or unreadable bodies). `cause` is the last
 * failure. Without `options`, the method and URL are the cause's when it has
 * them.
 *
 * @example
 * ```ts
 * import { isRetryError, RetryError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const error = new RetryError(new TypeError("fetch failed"), 6, {
 *   method: "GET",
 *   url: "http://x/status",
 * });
 * assert.equal(error.failures, 6);
 * assert.equal(
 *   error.message,
 *   "Gave up after 6 failed requests in a row to GET http://x/status, the last: fetch failed",
 * );
 * assert.ok(isRetryError(error));
 * ```
 */
export class RetryError extends VideoStatusError {
  /** How many consecutive requests failed. */
  readonly failures: number;

  /**
   * Creates a retry error.
   *
   * @param cause The last failure.
   * @param failures How many consecutive requests failed.
   * @param options The request's method and URL.
   */
  constructor(
    cause: unknown,
    failures: number,
    options?: Omit<VideoStatusErrorOptions, "cause">,
  ) {
    const about = cause instanceof VideoStatusError ? cause : undefined;
    const method = options?.method ?? about?.method ?? "GET";
    const url = options?.url ?? about?.url ?? "";
    // The library's own failures name their request already; say it once.
    const last = printable(
      cause instanceof Error ? cause.message : String(cause),
      500,
    );
    const target = about?.url === url && about.method === method
      ? ""
      : ` to ${method} ${url}`;
    super(
      `Gave up after ${formatCount(failures, "failed request")}${
        failures > 1 ? " in a row" : ""
      }${target}, the last: ${last}`,
      { method, url, cause },
    );
    this.name = "RetryError";
    this.failures = failures;
  }
}

/**
 * Tells whether `error` is a {@linkcode RetryError}, from this realm or another.
 *
 * @example
 * ```ts
 * import { isRetryError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isRetryError(new Error("x")), false);
 * ```
 *
 * @param error Anything caught.
 * @returns Whether it is a `RetryError`.
 */
export function isRetryError(error: unknown): error is RetryError {
  return error instanceof RetryError || hasName(error, "RetryError");
}
