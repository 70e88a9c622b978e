/**
 * `ProtocolError`: the server answered something the client cannot read.
 *
 * @module
 */

import {
  hasName,
  VideoStatusError,
  type VideoStatusErrorOptions,
} from "./base.ts";

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
