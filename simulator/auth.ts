/**
 * The API key check of a simulator started with `apiKey`: the dialect's auth
 * header must hold the key, compared in constant time.
 *
 * @module
 */

import type { RequiredKey } from "./dialect_options.ts";
import { errorResponse } from "./http.ts";

const encoder = new TextEncoder();

/**
 * The `401` for a request without the key, or `undefined` when it carries it.
 * The answer names the header, never the key (nor what was sent).
 *
 * @example
 * ```ts
 * import { authorize } from "./auth.ts";
 * import assert from "node:assert/strict";
 *
 * const key = { header: { name: "x-api-key" }, value: "k1" };
 * const ok = new Request("http://localhost/", { headers: { "x-api-key": "k1" } });
 * assert.equal(authorize(ok, key), undefined);
 * const refused = authorize(new Request("http://localhost/"), key)!;
 * assert.equal(refused.status, 401);
 * assert.match((await refused.json()).error, /'x-api-key' header/);
 * ```
 *
 * @param request The request.
 * @param key The key required.
 * @returns The refusal, or `undefined`.
 */
export function authorize(
  request: Request,
  key: RequiredKey,
): Response | undefined {
  const sent = request.headers.get(key.header.name);
  if (sent !== null && sameText(sent, key.value)) return undefined;
  const scheme = key.header.scheme;
  return errorResponse(
    401,
    `Cannot answer as the request must carry the API key in the '${key.header.name}' header${
      scheme === undefined ? "" : ` as "${scheme} KEY"`
    }`,
    {
      "WWW-Authenticate": `${
        scheme ?? "ApiKey"
      } realm="video-status-simulator"`,
    },
  );
}

/**
 * Compares two texts in time that depends on their lengths only, not on where
 * they first differ, so a client cannot find the key a character at a time.
 */
function sameText(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < right.length; i++) {
    difference |= (left[i % Math.max(1, left.length)] ?? 0) ^ right[i];
  }
  return difference === 0;
}
