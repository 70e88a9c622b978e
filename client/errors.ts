/**
 * The errors a wait can end with, all under {@linkcode VideoStatusError}.
 * Each carries the method and the URL (without credentials) of the request
 * it concerns, and has a type guard that also recognises errors from another
 * realm (an iframe, a second copy of the package) by `name`.
 *
 * Bad arguments throw the built-in `TypeError` or `RangeError`; an aborted
 * wait rejects with the signal's `reason`, unchanged.
 *
 * @module
 */

import type { VideoStatus } from "../protocol/status.ts";

/**
 * The request an error concerns, and what caused it.
 *
 * @example
 * ```ts
 * import type { VideoStatusErrorOptions } from "@video-status/client";
 *
 * const options: VideoStatusErrorOptions = { method: "GET", url: "http://x/status" };
 * ```
 */
export interface VideoStatusErrorOptions extends ErrorOptions {
  /** The request's method. */
  method: string;
  /** The request's URL, without credentials. */
  url: string;
}

/**
 * The base class of every error this library raises for a wait or a request
 * (not for bad arguments). Catch it to handle them all.
 *
 * @example
 * ```ts
 * import { RetryError, VideoStatusError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const error = new RetryError(new TypeError("fetch failed"), 6, { method: "GET", url: "http://x/status" });
 * assert.ok(error instanceof VideoStatusError);
 * assert.equal(error.url, "http://x/status");
 * ```
 */
export class VideoStatusError extends Error {
  /** The request's method. */
  readonly method: string;
  /** The request's URL, without credentials. */
  readonly url: string;

  /**
   * Creates an error about a request.
   *
   * @param message What went wrong.
   * @param options The request's method and URL, and the cause.
   */
  constructor(message: string, options: VideoStatusErrorOptions) {
    super(message, options);
    this.name = "VideoStatusError";
    this.method = options.method;
    this.url = options.url;
  }
}

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
 * const error = new RetryError(new TypeError("fetch failed"), 6);
 * assert.equal(error.failures, 6);
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
    super(
      `Gave up after ${failures} consecutive failed requests to ${method} ${url}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { method, url, cause },
    );
    this.name = "RetryError";
    this.failures = failures;
  }
}

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
      `Wait timed out after ${timeout} ms and ${attempts} requests${seen}: ${options.method} ${options.url}`,
      options,
    );
    this.name = "TimeoutError";
    this.timeout = timeout;
    this.attempts = attempts;
    this.lastStatus = lastStatus;
  }
}

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
      `Request timed out after ${timeout} ms: ${options.method} ${options.url}`,
      options,
    );
    this.name = "RequestTimeoutError";
    this.timeout = timeout;
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
 * const error = new ProtocolError("Unknown result 'done'", '{"result":"done"}', {
 *   method: "GET",
 *   url: "http://x/status",
 * });
 * assert.equal(error.body, '{"result":"done"}');
 * assert.ok(isProtocolError(error));
 * ```
 */
export class ProtocolError extends VideoStatusError {
  /** The start of the offending body, as text. */
  readonly body: string;

  /**
   * Creates a protocol error.
   *
   * @param message What was wrong.
   * @param body The offending body, possibly truncated.
   * @param options The request's method and URL; `cause`: the parse error, if any.
   */
  constructor(message: string, body: string, options: VideoStatusErrorOptions) {
    super(`${message}: ${options.method} ${options.url}`, options);
    this.name = "ProtocolError";
    this.body = body;
  }
}

function hasName(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/**
 * Tells whether `error` is a {@linkcode VideoStatusError} (any of this
 * library's errors), from this realm or another.
 *
 * @example
 * ```ts
 * import { isVideoStatusError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isVideoStatusError(new Error("x")), false);
 * ```
 *
 * @param error Anything caught.
 * @returns Whether it is one of this library's errors.
 */
export function isVideoStatusError(error: unknown): error is VideoStatusError {
  return error instanceof VideoStatusError ||
    (error instanceof Error && !(error instanceof DOMException) &&
      ERROR_NAMES.has(error.name) &&
      typeof (error as { method?: unknown }).method === "string");
}

const ERROR_NAMES = new Set([
  "VideoStatusError",
  "HTTPError",
  "RetryError",
  "TimeoutError",
  "RequestTimeoutError",
  "ProtocolError",
]);

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
