/**
 * How durations, counts and text from the other end appear in messages, so
 * that every message reads the same way: rounded units ("1.5 s", not
 * 1534.2871 ms), correct plurals ("1 request"), and no control characters
 * or unbounded text from a server.
 *
 * @module
 */

/**
 * A duration in milliseconds as a person reads it: whole milliseconds below
 * a second, seconds to one decimal below a minute, then minutes and
 * seconds, then hours and minutes.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDuration(250), "250 ms");
 * assert.equal(formatDuration(1234.5678901), "1.2 s");
 * assert.equal(formatDuration(1500), "1.5 s");
 * assert.equal(formatDuration(30_000), "30 s");
 * assert.equal(formatDuration(150_000), "2 min 30 s");
 * assert.equal(formatDuration(3_900_000), "1 h 5 min");
 * ```
 *
 * @param ms A duration in milliseconds.
 * @returns The duration with its unit.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return `${ms} ms`;
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${tenths / 10} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) {
    return joinUnits(Math.floor(seconds / 60), "min", seconds % 60, "s");
  }
  const minutes = Math.round(ms / 60_000);
  return joinUnits(Math.floor(minutes / 60), "h", minutes % 60, "min");
}

/** "2 min 30 s", or "2 min" when the smaller unit is 0. */
function joinUnits(
  large: number,
  largeUnit: string,
  small: number,
  smallUnit: string,
): string {
  const first = `${large} ${largeUnit}`;
  return small === 0 ? first : `${first} ${small} ${smallUnit}`;
}

/**
 * A count and its noun, singular for exactly one.
 *
 * @example
 * ```ts
 * import { formatCount } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatCount(1, "request"), "1 request");
 * assert.equal(formatCount(2, "request"), "2 requests");
 * assert.equal(formatCount(0, "failure"), "0 failures");
 * assert.equal(formatCount(3, "connection", "connections"), "3 connections");
 * ```
 *
 * @param count How many.
 * @param singular The noun for one.
 * @param plural The noun for any other count.
 * @returns The count and the noun.
 */
export function formatCount(
  count: number,
  singular: string,
  plural: string = `${singular}s`,
): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** The most characters {@linkcode printable} keeps by default. */
const MAX_PRINTABLE = 200;

// Control characters, and the format characters that reorder text (bidi
// overrides and isolates), which could make a message read other than it is.
const UNPRINTABLE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]+/gu;

/**
 * Text from the other end made safe to put in a message: control and
 * reordering characters become a space, runs of spaces one, and it is cut
 * to `max` characters (never inside a character), ending in `...` when cut.
 *
 * @example
 * ```ts
 * import { printable } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(printable("no such\r\n\tjob\u0007"), "no such job");
 * assert.equal(printable("x".repeat(300)), "x".repeat(197) + "...");
 * ```
 *
 * @param text Any text.
 * @param max The most characters kept.
 * @returns The text, cleaned and bounded.
 */
export function printable(text: string, max: number = MAX_PRINTABLE): string {
  const clean = text.replace(UNPRINTABLE, " ").replace(/\s+/g, " ").trim();
  const characters = Array.from(clean);
  if (characters.length <= max) return clean;
  return `${characters.slice(0, max - 3).join("")}...`;
}
