/**
 * `HTTPError`: the server answered with a status that retrying cannot fix.
 *
 * @module
 */

import { hasName, VideoStatusError } from "./base.ts";

/**
 * The server answered with an HTTP status that retrying cannot fix, such as
 * 400, 401, 403 or 404.
 *
 * @example
 * ```ts
 * import { HTTPError, isHTTPError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const response = new Response("no such job", { status: 404 });
 * const error = new HTTPError(response, "GET", "http://127.0.0.1:5000/jobs/x", "no such job");
 * assert.equal(error.status, 404);
 * assert.ok(isHTTPError(error));
 * ```
 */
export class HTTPError extends VideoStatusError {
  /** The HTTP status code. */
  readonly status: number;
  /** The response; its body has already been read into {@linkcode HTTPError.body}. */
  readonly response: Response;
  /** The start of the response body, as text, for diagnostics. */
  readonly body: string;

  /**
   * Creates an HTTP error.
   *
   * @param response The response that failed.
   * @param method The request method.
   * @param url The URL requested, without credentials.
   * @param body The response body as text, possibly truncated.
   */
  constructor(response: Response, method: string, url: string, body = "") {
    const reason = response.statusText ? ` ${response.statusText}` : "";
    super(
      `Request failed with status ${response.status}${reason}: ${method} ${url}`,
      { method, url },
    );
    this.name = "HTTPError";
    this.status = response.status;
    this.response = response;
    this.body = body;
  }
}

/**
 * Tells whether `error` is an {@linkcode HTTPError}, from this realm or another.
 *
 * @example
 * ```ts
 * import { isHTTPError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isHTTPError(new Error("x")), false);
 * ```
 *
 * @param error Anything caught.
 * @returns Whether it is an `HTTPError`.
 */
export function isHTTPError(error: unknown): error is HTTPError {
  return error instanceof HTTPError || hasName(error, "HTTPError");
}
