/**
 * Reading the server's hint of when to ask again: the `Retry-After` header of
 * RFC 9110 §10.2.3.
 *
 * @module
 */

/**
 * Parses a `Retry-After` value, either delta-seconds (`"120"`) or an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`), into milliseconds from `now`.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseRetryAfter("3"), 3000);
 * const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
 * assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", now), 10_000);
 * assert.equal(parseRetryAfter("soon"), undefined);
 * ```
 *
 * @param value The header's value, or `null` when absent.
 * @param now The current time in Unix epoch milliseconds, for HTTP-dates.
 * @returns Milliseconds to wait (0 for a date in the past), or `undefined` when
 * the value is absent or malformed.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date always names a weekday and a GMT time; a bare number or
  // other text is not one, however Date.parse might read it.
  if (!/^[A-Za-z]{3},? .*\d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) {
    return undefined;
  }
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
