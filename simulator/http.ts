/**
 * Small HTTP helpers of the simulator: JSON answers, JSON errors, CORS and
 * preflights.
 *
 * @module
 */

/**
 * Response headers a browser script may read (CORS).
 *
 * @example
 * ```ts
 * import { EXPOSED_HEADERS } from "./http.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(EXPOSED_HEADERS, /Preference-Applied/);
 * ```
 */
export const EXPOSED_HEADERS = "Location, Retry-After, Preference-Applied";

/**
 * Request headers a preflight allows when the browser names none.
 *
 * @example
 * ```ts
 * import { ALLOWED_HEADERS } from "./http.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(ALLOWED_HEADERS, /Prefer/);
 * ```
 */
export const ALLOWED_HEADERS = "Prefer, Content-Type, Authorization";

/** The CORS headers of every API response. */
const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": EXPOSED_HEADERS,
});

/** The largest `Access-Control-Request-Headers` value reflected back. */
const MAX_REFLECTED_HEADERS_LENGTH = 1024;

/** A comma-separated list of header-name tokens (RFC 9110). */
const HEADER_LIST =
  /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/**
 * Creates a JSON response that no cache keeps, with the CORS headers (built
 * in one go: it is the hot path).
 *
 * @example
 * ```ts
 * import { jsonResponse } from "./http.ts";
 * import assert from "node:assert/strict";
 *
 * const response = jsonResponse(200, { result: "pending" });
 * assert.equal(response.headers.get("content-type"), "application/json");
 * assert.deepEqual(await response.json(), { result: "pending" });
 * ```
 *
 * @param status The HTTP status.
 * @param body Any JSON-serializable value.
 * @param headers Extra headers.
 * @returns The response.
 */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
      ...CORS_HEADERS,
      ...headers,
    },
  });
}

/**
 * Creates a JSON error response `{"error": message}`.
 *
 * @example
 * ```ts
 * import { errorResponse } from "./http.ts";
 * import assert from "node:assert/strict";
 *
 * const response = errorResponse(404, "Cannot find path '/nope'");
 * assert.equal(response.status, 404);
 * assert.deepEqual(await response.json(), { error: "Cannot find path '/nope'" });
 * ```
 *
 * @param status The HTTP status.
 * @param message What was wrong.
 * @param headers Extra headers.
 * @returns The response.
 */
export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { error: message }, headers);
}

/**
 * Adds the CORS headers every API response carries, unless it has them.
 *
 * @example
 * ```ts
 * import { withCors } from "./http.ts";
 * import assert from "node:assert/strict";
 *
 * const response = withCors(new Response("ok"));
 * assert.equal(response.headers.get("access-control-allow-origin"), "*");
 * ```
 *
 * @param response A response with mutable headers.
 * @returns The same response.
 */
export function withCors(response: Response): Response {
  if (response.headers.has("Access-Control-Allow-Origin")) return response;
  for (const [name, value] of Object.entries(CORS_HEADERS)) {
    response.headers.set(name, value);
  }
  return response;
}

/**
 * Answers an `OPTIONS` request: a CORS preflight when the browser sent one,
 * otherwise just the allowed methods. Requested headers are reflected when they
 * are a well-formed list, so a client may send any `X-*` header.
 *
 * @example Answer a preflight
 * ```ts
 * import { optionsResponse } from "./http.ts";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/status", {
 *   method: "OPTIONS",
 *   headers: { "Access-Control-Request-Headers": "prefer, x-api-key" },
 * });
 * const response = optionsResponse(request, "GET, HEAD, OPTIONS");
 * assert.equal(response.status, 204);
 * assert.equal(
 *   response.headers.get("access-control-allow-headers"),
 *   "prefer, x-api-key",
 * );
 * ```
 *
 * @param request The `OPTIONS` request.
 * @param allow The methods the path allows.
 * @returns A `204` response.
 */
export function optionsResponse(request: Request, allow: string): Response {
  const requested = request.headers.get("Access-Control-Request-Headers");
  const allowHeaders = requested !== null &&
      requested.length <= MAX_REFLECTED_HEADERS_LENGTH &&
      HEADER_LIST.test(requested.trim())
    ? requested.trim()
    : ALLOWED_HEADERS;
  return new Response(null, {
    status: 204,
    headers: {
      "Allow": allow,
      "Access-Control-Allow-Methods": allow,
      "Access-Control-Allow-Headers": allowHeaders,
      "Access-Control-Max-Age": "600",
      "Vary": "Access-Control-Request-Headers",
      "Cache-Control": "no-store",
    },
  });
}
