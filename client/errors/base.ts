/**
 * The base class of every error the client raises for a wait or a request.
 *
 * @module
 */

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

/** Whether `error` is an `Error` named `name`, from this realm or another. */
export function hasName(error: unknown, name: string): boolean {
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
  "NetworkError",
  "RequestError",
]);
