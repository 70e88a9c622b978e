/**
 * Bounds of numeric options and flags, and the checks against them that the
 * simulator's options and its command line share.
 *
 * @module
 */

import { show } from "../util/validate.ts";

/**
 * The bounds of one numeric option.
 *
 * @example
 * ```ts
 * import type { NumberRule } from "./number_rule.ts";
 *
 * const rate: NumberRule = { min: 0, max: 1, integer: false, noun: "a number" };
 * ```
 */
export interface NumberRule {
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value. */
  readonly max: number;
  /** Whether the value must be an integer. */
  readonly integer: boolean;
  /** How the value is described, e.g. "a number of milliseconds". */
  readonly noun: string;
}

/**
 * Makes a frozen {@linkcode NumberRule}.
 *
 * @example
 * ```ts
 * import { rule } from "./number_rule.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(rule(0, 1, false, "a number").max, 1);
 * ```
 *
 * @param min Smallest allowed value.
 * @param max Largest allowed value.
 * @param integer Whether the value must be an integer.
 * @param noun How the value is described.
 * @returns The rule.
 */
export function rule(
  min: number,
  max: number,
  integer: boolean,
  noun: string,
): NumberRule {
  return Object.freeze({ min, max, integer, noun });
}

/**
 * Checks a value against a {@linkcode NumberRule}.
 *
 * @example
 * ```ts
 * import { checkNumber } from "./number_rule.ts";
 * import { NUMBER_RULES } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkNumber(0.5, "errorRate", NUMBER_RULES.errorRate!, "create the simulator"), undefined);
 * assert.equal(
 *   checkNumber(2, "errorRate", NUMBER_RULES.errorRate!, "create the simulator"),
 *   "Cannot create the simulator as 'errorRate' must be a number from 0 to 1: current value is 2",
 * );
 * ```
 *
 * @param value The value.
 * @param name The option or flag name to show.
 * @param rule The bounds.
 * @param action What could not be done, e.g. "start the simulator".
 * @returns `undefined` when the value is fine, otherwise the error message.
 */
export function checkNumber(
  value: unknown,
  name: string,
  rule: NumberRule,
  action: string,
): string | undefined {
  if (
    typeof value === "number" && !Number.isNaN(value) &&
    value >= rule.min && value <= rule.max &&
    (!rule.integer || Number.isInteger(value))
  ) return undefined;
  const range = rule.max === Infinity
    ? `of at least ${rule.min}`
    : `from ${rule.min} to ${rule.max}`;
  return `Cannot ${action} as '${name}' must be ${rule.noun} ${range}: current value is ${
    show(value)
  }`;
}

/**
 * Checks that a lower bound does not exceed its upper bound.
 *
 * @example
 * ```ts
 * import { checkOrder } from "./number_rule.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkOrder(5, 2, "--min-duration", "--max-duration", "start the simulator"), RangeError);
 * ```
 *
 * @param min The lower bound.
 * @param max The upper bound.
 * @param minName Name of the lower bound.
 * @param maxName Name of the upper bound.
 * @param action What could not be done.
 * @throws {RangeError} When `min > max`.
 */
export function checkOrder(
  min: number,
  max: number,
  minName: string,
  maxName: string,
  action: string,
): void {
  if (min > max) {
    throw new RangeError(
      `Cannot ${action} as '${minName}' must not exceed '${maxName}': current values are ${min} and ${max}`,
    );
  }
}
