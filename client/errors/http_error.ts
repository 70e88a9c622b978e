/**
 * `HTTPError`: the server answered with a status that retrying cannot fix.
 *
 * @module
 */

import { hasName, VideoStatusError } from "./base.ts";
import { printable } from "../../util/format.ts";

/**
 * The server answered with an HTTP status that retrying cannot fix, such as
 * 400, 401, 403 or 404. Its message ends with what the server said: the
 * `message`, `detail`, `error` or `title` of a JSON body (the first present), or else the body's
 * text; at most 200 characters, control characters removed.
 *
 * @example
 * ```ts
 * import { HTTPError, isHTTPError } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const body = '{"error": "Job not found"}';
 * const response = new Response(body, { status: 404, statusText: "Not Found" });
 * const error = new HTTPError(response, "GET", "http://127.0.0.1:5000/jobs/x", body);
 * assert.equal(error.status, 404);
 * assert.equal(error.serverMessage, "Job not found");
 * assert.equal(
 *   error.message,
 *   "Request failed with status 404 Not Found: GET http://127.0.0.1:5000/jobs/x (server said: Job not found)",
 * );
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
  /** What the server said, as the message shows it (bounded, printable); `""` if nothing. */
  readonly serverMessage: string;

  /**
   * Creates an HTTP error.
   *
   * @param response The response that failed.
   * @param method The request method.
   * @param url The URL requested, without credentials.
   * @param body The response body as text, possibly truncated.
   */
  constructor(response: Response, method: string, url: string, body = "") {
    const statusText = printable(response.statusText, 64);
    const reason = statusText ? ` ${statusText}` : "";
    const said = serverMessage(body);
    super(
      `Request failed with status ${response.status}${reason}: ${method} ${url}${
        said ? ` (server said: ${said})` : ""
      }`,
      { method, url },
    );
    this.name = "HTTPError";
    this.status = response.status;
    this.response = response;
    this.body = body;
    this.serverMessage = said;
  }
}

// The fields in which JSON error bodies (RFC 9457's problem details among
// them) put their text, most specific first.
const MESSAGE_FIELDS = ["message", "detail", "error", "title"];

/** The text a person needs from an error body: its message field if it is JSON and has one, else the body. */
function serverMessage(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return printable(body);
  }
  for (const source of [parsed, (parsed as { error?: unknown })?.error]) {
    if (typeof source !== "object" || source === null) continue;
    for (const field of MESSAGE_FIELDS) {
      const text = (source as Record<string, unknown>)[field];
      if (typeof text === "string" && text.trim() !== "") {
        return printable(text);
      }
    }
  }
  return printable(body);
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
