/**
 * Argument checks shared by the public constructors, and the one way values
 * appear in messages, in std's style: "Cannot create X as 'name' must be …:
 * current value is …".
 *
 * @module
 */

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
 *
 * @example
 * ```ts
 * import { assertFiniteAtLeast } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => assertFiniteAtLeast("the backoff", "maxDelay", 10, 1_000, "initialDelay"),
 *   {
 *     name: "RangeError",
 *     message: "Cannot create the backoff as 'maxDelay' must be a finite number of at least 'initialDelay' (1000): current value is 10",
 *   },
 * );
 * ```
 *
 * @param subject What is being created.
 * @param name The option's name.
 * @param value The option's value.
 * @param min The least value allowed.
 * @param minName The option that sets `min`, if one does.
 * @throws {RangeError} When the value is not a finite number of at least `min`.
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

/**
 * Throws a TypeError unless `value` is a function (or, if optional, undefined).
 *
 * @example
 * ```ts
 * import { assertFunction } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * assertFunction("the client", "fetch", undefined, true);
 * assert.throws(() => assertFunction("the client", "fetch", "x"), TypeError);
 * ```
 *
 * @param subject What is being created.
 * @param name The option's name.
 * @param value The option's value.
 * @param optional Whether `undefined` is allowed.
 * @throws {TypeError} When the value is not a function.
 */
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

/**
 * Throws a TypeError unless `options` is an object (not `null`), as an
 * options argument must be.
 *
 * @example
 * ```ts
 * import { assertOptionsObject } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * assertOptionsObject("the client", {});
 * assert.throws(
 *   () => assertOptionsObject("the client", "x"),
 *   /Cannot create the client as its options must be an object: current value is "x"/,
 * );
 * ```
 *
 * @param subject What is being created.
 * @param options The options as given.
 * @throws {TypeError} When they are not an object.
 */
export function assertOptionsObject(
  subject: string,
  options: unknown,
): asserts options is object {
  if (typeof options === "object" && options !== null) return;
  throw new TypeError(
    `Cannot create ${subject} as its options must be an object: current value is ${
      show(options)
    }`,
  );
}

/**
 * A value given by a preset's name or as an object: the preset, or the
 * object once it has the methods one must have.
 *
 * @example
 * ```ts
 * import { presetOrObject } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * const presets = { one: { run() {} } };
 * assert.equal(presetOrObject("the thing", "thing", presets, "one", ["run"]), presets.one);
 * assert.throws(
 *   () => presetOrObject("the thing", "thing", presets, "two", ["run"]),
 *   /'thing' must be one of "one" or a thing object: current value is "two"/,
 * );
 * ```
 *
 * @param subject What is being used, for messages ("the dialect").
 * @param name The option's name.
 * @param presets The presets by name.
 * @param value A preset's name or an object.
 * @param methods The methods an object must have.
 * @returns The preset or the object.
 * @throws {TypeError} For an unknown name or an object without the methods.
 */
export function presetOrObject<T extends object>(
  subject: string,
  name: string,
  presets: Readonly<Record<string, T>>,
  value: string | T,
  methods: readonly string[],
): T {
  if (typeof value === "string") {
    if (Object.hasOwn(presets, value)) return presets[value];
    throw new TypeError(
      `Cannot use ${subject} as '${name}' must be one of ${
        Object.keys(presets).map((key) => JSON.stringify(key)).join(", ")
      } or a ${name} object: current value is ${show(value)}`,
    );
  }
  assertMethods(subject, name, value, methods);
  return value;
}

/**
 * Throws a TypeError unless `value` is an object with these methods.
 *
 * @example
 * ```ts
 * import { assertMethods } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * assertMethods("the client", "clock", { now() {}, sleep() {} }, ["now", "sleep"]);
 * assert.throws(
 *   () => assertMethods("the client", "clock", {}, ["now", "sleep"]),
 *   /'clock' must have the methods now\(\), sleep\(\): current value is an object/,
 * );
 * ```
 *
 * @param subject What is being created.
 * @param name The option's name.
 * @param value The option's value.
 * @param methods The methods it must have.
 * @throws {TypeError} When a method is missing.
 */
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
