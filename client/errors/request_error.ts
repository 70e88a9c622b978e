/**
 * `RequestError`: a request the client will not, or cannot, send.
 *
 * @module
 */

import {
  hasName,
  VideoStatusError,
  type VideoStatusErrorOptions,
} from "./base.ts";

/**
 * A request the client will not or cannot send, which retrying cannot fix,
 * so the wait (or `createJob()`) ends at once: a redirect or a `Location`
 * that names an origin the client was not configured for (see the option
 * `allowedOrigins`) or a scheme other than `http:`/`https:`, more than
 * `maxRedirects` redirects in a row, a redirect the runtime hides (browsers
 * do), or a request that `fetch` cannot build.
 *
 * @example
 * ```ts
 * import { isRequestError, RequestError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const error = new RequestError("Too many redirects", { method: "GET", url: "http://x/status" });
 * assert.equal(error.message, "Too many redirects: GET http://x/status");
 * assert.ok(isRequestError(error));
 * ```
 */
export class RequestError extends VideoStatusError {
  /**
   * Creates a request error.
   *
   * @param reason Why the request is not sent, and what would allow it.
   * @param options The method and URL of the request that led to it.
   */
  constructor(reason: string, options: VideoStatusErrorOptions) {
    super(`${reason}: ${options.method} ${options.url}`, options);
    this.name = "RequestError";
  }
}

/**
 * Tells whether `error` is a {@linkcode RequestError}, from this realm or another.
 *
 * @example
 * ```ts
 * import { isRequestError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isRequestError(new Error("x")), false);
 * ```
 *
 * @param error Anything caught.
 * @returns Whether it is a `RequestError`.
 */
export function isRequestError(error: unknown): error is RequestError {
  return error instanceof RequestError || hasName(error, "RequestError");
}
