/**
 * `NetworkError`: a request got no answer.
 *
 * @module
 */

import {
  hasName,
  VideoStatusError,
  type VideoStatusErrorOptions,
} from "./base.ts";

/**
 * A request got no answer: the connection was refused, reset or broke, a
 * name did not resolve, or the runtime's `fetch` failed otherwise. A wait
 * retries it. `cause` is a copy of what `fetch` threw (same class, `name`,
 * `code` and cause chain) with the client's configured header values hidden
 * from every message, since runtimes quote requests in their errors.
 *
 * @example
 * ```ts
 * import { isNetworkError, NetworkError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const error = new NetworkError("connection refused", { method: "GET", url: "http://x/status" });
 * assert.equal(error.message, "No answer to GET http://x/status: connection refused");
 * assert.ok(isNetworkError(error));
 * ```
 */
export class NetworkError extends VideoStatusError {
  /**
   * Creates a network error.
   *
   * @param detail What the runtime said, without secrets.
   * @param options The request's method and URL, and the sanitized cause.
   */
  constructor(detail: string, options: VideoStatusErrorOptions) {
    super(`No answer to ${options.method} ${options.url}: ${detail}`, options);
    this.name = "NetworkError";
  }
}

/**
 * Tells whether `error` is a {@linkcode NetworkError}, from this realm or another.
 *
 * @example
 * ```ts
 * import { isNetworkError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isNetworkError(new TypeError("fetch failed")), false);
 * ```
 *
 * @param error Anything caught.
 * @returns Whether it is a `NetworkError`.
 */
export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof NetworkError || hasName(error, "NetworkError");
}
