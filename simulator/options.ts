/**
 * The simulator's options, their defaults and their bounds. Times are in
 * milliseconds. The command line checks its flags against the same bounds,
 * converted to seconds for the flags given in seconds.
 *
 * @module
 */

import type { SimulatorClock } from "./clock.ts";
import { showValue } from "./http.ts";

/**
 * Options of `createSimulator()` (and of `serve()`).
 *
 * @example Fast, reproducible jobs with some injected faults
 * ```ts
 * import type { SimulatorOptions } from "./options.ts";
 *
 * const options: SimulatorOptions = {
 *   minDelay: 100,
 *   maxDelay: 500,
 *   errorRate: 0.2,
 *   seed: 42,
 *   faultRate: 0.1,
 * };
 * ```
 */
export interface SimulatorOptions {
  /** Shortest translation time of a job, in milliseconds. @default {2000} */
  minDelay?: number;
  /** Longest translation time of a job, in milliseconds. @default {5000} */
  maxDelay?: number;
  /** Probability (0 to 1) that a job ends in `error`. @default {0.1} */
  errorRate?: number;
  /** How many jobs created with `POST /jobs` are kept at most. @default {10000} */
  maxJobs?: number;
  /** Cap on a `Prefer: wait=N` long-poll, in milliseconds; 0 turns long-poll off. @default {30000} */
  maxWait?: number;
  /** How many long-polls and event streams may be held at once. @default {10000} */
  maxHeld?: number;
  /** Interval between heartbeat comments on event streams, in milliseconds. @default {15000} */
  heartbeatInterval?: number;
  /** Fraction (0 to 1) of status responses replaced by a `500` or `503`. @default {0} */
  faultRate?: number;
  /** Least latency added to each response, in milliseconds. @default {0} */
  minLatency?: number;
  /** Most latency added to each response, in milliseconds. @default {0} */
  maxLatency?: number;
  /** Fraction (0 to 1) of status responses whose connection drops mid-body. @default {0} */
  resetRate?: number;
  /** Requests per second allowed per client; beyond it `429`. @default {Infinity} */
  rateLimit?: number;
  /** Behave like the seed server: no hints, no long-poll, no events. @default {false} */
  legacy?: boolean;
  /** Seed for a reproducible random source; ignored when `random` is given. @default {undefined} */
  seed?: number;
  /** Random source returning numbers in `[0, 1)`. @default {Math.random} */
  random?: () => number;
  /** Clock and timers. @default {systemClock} */
  clock?: SimulatorClock;
}

/**
 * The bounds of one numeric option.
 *
 * @example
 * ```ts
 * import type { NumberRule } from "./options.ts";
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
 * The longest translation time a job may have, in milliseconds (one day).
 *
 * @example
 * ```ts
 * import { MAX_JOB_DELAY } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_JOB_DELAY, 24 * 60 * 60 * 1_000);
 * ```
 */
export const MAX_JOB_DELAY = 86_400_000;

/**
 * Bounds of every numeric option, by option name.
 *
 * @example
 * ```ts
 * import { NUMBER_RULES } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(NUMBER_RULES.errorRate?.max, 1);
 * ```
 */
export const NUMBER_RULES: Readonly<Record<string, NumberRule>> = Object
  .freeze({
    minDelay: rule(0, MAX_JOB_DELAY, false, "a number of milliseconds"),
    maxDelay: rule(0, MAX_JOB_DELAY, false, "a number of milliseconds"),
    errorRate: rule(0, 1, false, "a number"),
    maxJobs: rule(1, 1_000_000, true, "an integer"),
    maxWait: rule(0, 3_600_000, true, "an integer number of milliseconds"),
    maxHeld: rule(1, 1_000_000, true, "an integer"),
    heartbeatInterval: rule(
      1,
      3_600_000,
      true,
      "an integer number of milliseconds",
    ),
    faultRate: rule(0, 1, false, "a number"),
    minLatency: rule(0, 60_000, true, "an integer number of milliseconds"),
    maxLatency: rule(0, 60_000, true, "an integer number of milliseconds"),
    resetRate: rule(0, 1, false, "a number"),
    rateLimit: rule(1, Infinity, true, "an integer"),
    seed: rule(
      Number.MIN_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
      true,
      "an integer",
    ),
  });

/**
 * Bounds of a port number.
 *
 * @example
 * ```ts
 * import { PORT_RULE } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PORT_RULE.max, 65_535);
 * ```
 */
export const PORT_RULE: NumberRule = rule(0, 65_535, true, "an integer");

function rule(
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
 * import { checkNumber, NUMBER_RULES } from "./options.ts";
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
    showValue(value)
  }`;
}

/**
 * {@linkcode SimulatorOptions} with every default applied and checked.
 *
 * @example
 * ```ts
 * import { type ResolvedOptions, resolveOptions } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * const resolved: ResolvedOptions = resolveOptions({});
 * assert.equal(resolved.rateLimit, Infinity);
 * ```
 */
export interface ResolvedOptions {
  /** See {@linkcode SimulatorOptions.minDelay}. */
  readonly minDelay: number;
  /** See {@linkcode SimulatorOptions.maxDelay}. */
  readonly maxDelay: number;
  /** See {@linkcode SimulatorOptions.errorRate}. */
  readonly errorRate: number;
  /** See {@linkcode SimulatorOptions.maxJobs}. */
  readonly maxJobs: number;
  /** See {@linkcode SimulatorOptions.maxWait}. */
  readonly maxWait: number;
  /** See {@linkcode SimulatorOptions.maxHeld}. */
  readonly maxHeld: number;
  /** See {@linkcode SimulatorOptions.heartbeatInterval}. */
  readonly heartbeatInterval: number;
  /** See {@linkcode SimulatorOptions.faultRate}. */
  readonly faultRate: number;
  /** See {@linkcode SimulatorOptions.minLatency}. */
  readonly minLatency: number;
  /** See {@linkcode SimulatorOptions.maxLatency}. */
  readonly maxLatency: number;
  /** See {@linkcode SimulatorOptions.resetRate}. */
  readonly resetRate: number;
  /** See {@linkcode SimulatorOptions.rateLimit}. */
  readonly rateLimit: number;
  /** See {@linkcode SimulatorOptions.legacy}. */
  readonly legacy: boolean;
  /** See {@linkcode SimulatorOptions.seed}. */
  readonly seed: number | undefined;
}

/**
 * The defaults of {@linkcode SimulatorOptions}.
 *
 * @example
 * ```ts
 * import { DEFAULT_OPTIONS } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([DEFAULT_OPTIONS.minDelay, DEFAULT_OPTIONS.maxDelay], [2000, 5000]);
 * ```
 */
export const DEFAULT_OPTIONS: ResolvedOptions = Object.freeze({
  minDelay: 2_000,
  maxDelay: 5_000,
  errorRate: 0.1,
  maxJobs: 10_000,
  maxWait: 30_000,
  maxHeld: 10_000,
  heartbeatInterval: 15_000,
  faultRate: 0,
  minLatency: 0,
  maxLatency: 0,
  resetRate: 0,
  rateLimit: Infinity,
  legacy: false,
  seed: undefined,
});

/**
 * Applies the defaults and checks every option.
 *
 * @example
 * ```ts
 * import { resolveOptions } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolveOptions({ maxJobs: 5 }).maxJobs, 5);
 * assert.throws(() => resolveOptions({ minDelay: 3_000, maxDelay: 1_000 }), RangeError);
 * ```
 *
 * @param options The options as given.
 * @returns The options with defaults.
 * @throws {RangeError} When a value is out of range or the wrong type.
 */
export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const resolved = { ...DEFAULT_OPTIONS };
  const action = "create the simulator";
  for (const [name, rule] of Object.entries(NUMBER_RULES)) {
    const value = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (name === "rateLimit" && value === Infinity) continue;
    const message = checkNumber(value, name, rule, action);
    if (message !== undefined) throw new RangeError(message);
    (resolved as Record<string, unknown>)[name] = value;
  }
  if (options.legacy !== undefined) {
    if (typeof options.legacy !== "boolean") {
      throw new TypeError(
        `Cannot ${action} as 'legacy' must be a boolean: current value is ${
          showValue(options.legacy)
        }`,
      );
    }
    resolved.legacy = options.legacy;
  }
  checkOrder(
    resolved.minDelay,
    resolved.maxDelay,
    "minDelay",
    "maxDelay",
    action,
  );
  checkOrder(
    resolved.minLatency,
    resolved.maxLatency,
    "minLatency",
    "maxLatency",
    action,
  );
  return Object.freeze(resolved);
}

/**
 * Checks that a lower bound does not exceed its upper bound.
 *
 * @example
 * ```ts
 * import { checkOrder } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkOrder(5, 2, "--min-delay", "--max-delay", "start the simulator"), RangeError);
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
