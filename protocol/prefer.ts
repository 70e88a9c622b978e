/**
 * Long-poll negotiation (RFC 7240 `Prefer: wait`) and the `Retry-After` hint
 * the simulator puts on pending answers. The headers speak whole seconds and
 * the simulator milliseconds; each function says which it takes and returns.
 *
 * @module
 */

/**
 * Reads the `wait` preference of a `Prefer` header (RFC 7240): how long the
 * client is willing to wait for a change, given in whole seconds. Only the
 * first `wait` counts; a malformed value is ignored, as the RFC asks.
 *
 * @example
 * ```ts
 * import { parsePreferWait } from "./prefer.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parsePreferWait("wait=10"), 10_000);
 * assert.equal(parsePreferWait("respond-async, Wait = \"5\""), 5_000);
 * assert.equal(parsePreferWait("wait=soon"), undefined);
 * assert.equal(parsePreferWait("wait=99999999999"), 99_999_999_999_000);
 * assert.equal(parsePreferWait(null), undefined);
 * ```
 *
 * @param header The `Prefer` header value, or `null`.
 * @returns The wait asked for in milliseconds, or `undefined` when there is
 * no valid `wait`.
 */
export function parsePreferWait(header: string | null): number | undefined {
  if (header === null) return undefined;
  for (const preference of header.split(",")) {
    const [token = ""] = preference.split(";");
    const equals = token.indexOf("=");
    const name = (equals < 0 ? token : token.slice(0, equals)).trim();
    if (name.toLowerCase() !== "wait") continue;
    let value = equals < 0 ? "" : token.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    // Any number of digits: a wait longer than the server holds is capped by
    // the server, not ignored (`Number` of a huge one is `Infinity`).
    if (!/^[0-9]+$/.test(value)) return undefined;
    return Number(value) * 1_000;
  }
  return undefined;
}

/**
 * The `Preference-Applied` value for a long-poll held at most `wait`
 * milliseconds: whole seconds, rounded up, so the answer always comes within
 * the seconds it names.
 *
 * @example
 * ```ts
 * import { formatAppliedWait } from "./prefer.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatAppliedWait(30_000), "wait=30");
 * assert.equal(formatAppliedWait(1_500), "wait=2");
 * assert.equal(formatAppliedWait(0), "wait=0");
 * ```
 *
 * @param wait The longest hold in milliseconds.
 * @returns The header value, e.g. `wait=30`.
 */
export function formatAppliedWait(wait: number): string {
  return `wait=${Math.ceil(wait / 1_000)}`;
}

/**
 * The largest `Retry-After` hint on a pending answer, in seconds.
 *
 * @example
 * ```ts
 * import { MAX_HINT_SECONDS, retryAfterHint } from "./prefer.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(retryAfterHint(Infinity), MAX_HINT_SECONDS);
 * ```
 */
export const MAX_HINT_SECONDS = 10;

/**
 * The `Retry-After` hint for a pending job: half the remaining time, rounded
 * up to whole seconds, between 1 and {@linkcode MAX_HINT_SECONDS}. It tells a
 * poller roughly when to come back without revealing the finish time.
 *
 * @example
 * ```ts
 * import { retryAfterHint } from "./prefer.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(retryAfterHint(100), 1);
 * assert.equal(retryAfterHint(5_000), 3);
 * assert.equal(retryAfterHint(600_000), 10);
 * ```
 *
 * @param remaining Milliseconds until the job finishes.
 * @returns Whole seconds from 1 to {@linkcode MAX_HINT_SECONDS}.
 */
export function retryAfterHint(remaining: number): number {
  return Math.min(
    MAX_HINT_SECONDS,
    Math.max(1, Math.ceil(remaining / 2_000)),
  );
}
