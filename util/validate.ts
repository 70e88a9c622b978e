// Argument checks shared by the public constructors, with std-style messages:
// "Cannot create X as 'name' must be …: current value is …".

/** The longest text {@linkcode show} and {@linkcode shorten} give. */
const MAX_SHOWN = 64;

/**
 * A value as an error message shows it: strings quoted (so "5" is not 5),
 * objects and functions named by kind (their contents may be large or
 * secret), everything cut to a few dozen characters.
 *
 * @example
 * ```ts
 * import { show } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(show("5"), '"5"');
 * assert.equal(show(5), "5");
 * assert.equal(show([1, 2]), "an array");
 * assert.equal(show(undefined), "undefined");
 * assert.equal(show("x".repeat(100)).length, 64);
 * ```
 *
 * @param value Any value.
 * @returns A short description.
 */
export function show(value: unknown): string {
  if (typeof value === "string") return shorten(JSON.stringify(value));
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) return "an object";
  return shorten(String(value));
}

/**
 * Cuts a text for a message to at most 64 characters, ending in `...` when
 * cut.
 *
 * @example
 * ```ts
 * import { shorten } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(shorten("/jobs/a1"), "/jobs/a1");
 * assert.equal(shorten("/".repeat(100)), "/".repeat(61) + "...");
 * ```
 *
 * @param text Any text.
 * @returns The text, or its start and `...`.
 */
export function shorten(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

/**
 * Throws a RangeError unless `value` is a finite number ≥ `min`. When the
 * bound is another option, `minName` names it.
 */
export function assertFiniteAtLeast(
  subject: string,
  name: string,
  value: number,
  min: number,
  minName?: string,
): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    const bound = minName === undefined ? `${min}` : `'${minName}' (${min})`;
    throw new RangeError(
      `Cannot create ${subject} as '${name}' must be a finite number of at least ${bound}: current value is ${
        show(value)
      }`,
    );
  }
}

/** Throws a TypeError unless `value` is a function (or, if optional, undefined). */
export function assertFunction(
  subject: string,
  name: string,
  value: unknown,
  optional = false,
): void {
  if (typeof value === "function" || (optional && value === undefined)) {
    return;
  }
  throw new TypeError(
    `Cannot create ${subject} as '${name}' must be a function: current value is ${
      show(value)
    }`,
  );
}

/** Throws a TypeError unless `value` is an object with these methods. */
export function assertMethods(
  subject: string,
  name: string,
  value: unknown,
  methods: readonly string[],
): void {
  const object = value as Record<string, unknown> | null;
  if (
    typeof object === "object" && object !== null &&
    methods.every((method) => typeof object[method] === "function")
  ) return;
  throw new TypeError(
    `Cannot create ${subject} as '${name}' must have the methods ${
      methods.map((method) => `${method}()`).join(", ")
    }: current value is ${show(value)}`,
  );
}
