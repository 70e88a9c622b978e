/**
 * The errors a wait can end with. Each carries what a caller needs to act on
 * it, and a type guard that also recognises errors from another realm (an
 * iframe, a second copy of the package) by `name`.
 *
 * Bad arguments throw the built-in `TypeError` or `RangeError`; an aborted
 * wait rejects with the signal's `reason`, unchanged.
 *
 * @module
 */

import type { VideoStatus } from "../protocol/status.ts";

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
export class HTTPError extends Error {
  /** The HTTP status code. */
  readonly status: number;
  /** The response; its body has already been read into {@linkcode HTTPError.body}. */
  readonly response: Response;
  /** The request method. */
  readonly method: string;
  /** The URL requested (without credentials). */
  readonly url: string;
  /** The start of the response body, as text, for diagnostics. */
  readonly body: string;

  /**
   * Creates an HTTP error.
   *
   * @param response The response that failed.
   * @param method The request method.
   * @param url The URL requested.
   * @param body The response body as text, possibly truncated.
   */
  constructor(response: Response, method: string, url: string, body = "") {
    const reason = response.statusText ? ` ${response.statusText}` : "";
    super(
      `Request failed with status ${response.status}${reason}: ${method} ${url}`,
    );
    this.name = "HTTPError";
    this.status = response.status;
    this.response = response;
    this.method = method;
    this.url = url;
    this.body = body;
  }
}

/**
 * Too many consecutive requests failed (network errors, 408, 429, 5xx but
 * 501 and 505, or unreadable bodies). `cause` is the last failure.
 *
 * @example
 * ```ts
 * import { isRetryError, RetryError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const error = new RetryError(6, new TypeError("fetch failed"));
 * assert.equal(error.attempts, 6);
 * assert.ok(isRetryError(error));
 * ```
 */
export class RetryError extends Error {
  /** How many consecutive requests failed. */
  readonly attempts: number;

  /**
   * Creates a retry error.
   *
   * @param attempts How many consecutive requests failed.
   * @param cause The last failure.
   */
  constructor(attempts: number, cause: unknown) {
    super(
      `Gave up after ${attempts} consecutive failed requests: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = "RetryError";
    this.attempts = attempts;
  }
}

/**
 * A wait, or one request of it, ran out of time. Its `name` is
 * `"TimeoutError"`, like the `DOMException` of `AbortSignal.timeout()`.
 *
 * @example
 * ```ts
 * import { isTimeoutError, TimeoutError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const error = new TimeoutError(30_000, 3, "pending");
 * assert.equal(error.name, "TimeoutError");
 * assert.ok(isTimeoutError(error));
 * ```
 */
export class TimeoutError extends Error {
  /** The time limit, in milliseconds. */
  readonly timeout: number;
  /** How many requests were sent before the time ran out. */
  readonly attempts: number;
  /** The last status the server reported, if any. */
  readonly lastStatus: VideoStatus | undefined;

  /**
   * Creates a timeout error.
   *
   * @param timeout The time limit in milliseconds.
   * @param attempts How many requests were sent.
   * @param lastStatus The last status seen, if any.
   * @param options `cause`: what was under way when the time ran out.
   */
  constructor(
    timeout: number,
    attempts: number,
    lastStatus?: VideoStatus,
    options?: ErrorOptions,
  ) {
    const seen = lastStatus ? `; last status was '${lastStatus}'` : "";
    super(
      `Timed out after ${timeout} ms and ${attempts} requests${seen}`,
      options,
    );
    this.name = "TimeoutError";
    this.timeout = timeout;
    this.attempts = attempts;
    this.lastStatus = lastStatus;
  }
}

/**
 * The server's answer does not follow the status protocol: a body that is not
 * JSON, lacks `result`, or has a `result` this client does not know.
 *
 * @example
 * ```ts
 * import { isProtocolError, ProtocolError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const error = new ProtocolError("Unknown result 'done'", "http://x/status", '{"result":"done"}');
 * assert.equal(error.body, '{"result":"done"}');
 * assert.ok(isProtocolError(error));
 * ```
 */
export class ProtocolError extends Error {
  /** The URL whose answer broke the protocol. */
  readonly url: string;
  /** The start of the offending body, as text. */
  readonly body: string;

  /**
   * Creates a protocol error.
   *
   * @param message What was wrong.
   * @param url The URL requested.
   * @param body The offending body, possibly truncated.
   * @param options `cause`: the underlying parse error, if any.
   */
  constructor(
    message: string,
    url: string,
    body: string,
    options?: ErrorOptions,
  ) {
    super(`${message}: ${url}`, options);
    this.name = "ProtocolError";
    this.url = url;
    this.body = body;
  }
}

function hasName(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
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

/**
 * Tells whether `error` is a {@linkcode TimeoutError} of this library, from
 * this realm or another (a `DOMException` named `TimeoutError` is not one).
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

/**
 * Tells whether `error` is a {@linkcode ProtocolError}, from this realm or another.
 *
 * @example
 * ```ts
 * import { isProtocolError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isProtocolError(new Error("x")), false);
 * ```
 *
 * @param error Anything caught.
 * @returns Whether it is a `ProtocolError`.
 */
export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError || hasName(error, "ProtocolError");
}
