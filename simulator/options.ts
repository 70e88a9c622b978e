/**
 * The simulator's options, their defaults and their bounds, in milliseconds
 * (the command line checks its flags, some in seconds, against the same).
 *
 * @module
 */

import type { Clock } from "../timing/clock.ts";
import { show } from "../util/validate.ts";
import type { SimulatorDialectOptions } from "./dialect_options.ts";
import {
  checkNumber,
  checkOrder,
  type NumberRule,
  rule,
} from "./number_rule.ts";
import type { SimulatorWebhookOptions } from "./webhook_options.ts";

// Where the scripts read it, next to the rules it types.
export type { NumberRule } from "./number_rule.ts";

/**
 * Options of `createSimulator()` (and of `serve()`).
 *
 * @example Fast, reproducible jobs with some injected faults
 * ```ts
 * import type { SimulatorOptions } from "./options.ts";
 *
 * const options: SimulatorOptions = {
 *   minDuration: 100,
 *   maxDuration: 500,
 *   errorRate: 0.2,
 *   seed: 42,
 *   faultRate: 0.1,
 * };
 * ```
 */
export interface SimulatorOptions
  extends SimulatorDialectOptions, SimulatorWebhookOptions {
  /** Shortest duration of a job (from creation to its final status), in milliseconds. @default {2000} */
  minDuration?: number;
  /** Longest duration of a job, in milliseconds. @default {5000} */
  maxDuration?: number;
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
  /**
   * Where time is read and slept on; a `FakeClock` makes the simulator
   * deterministic. `serve()` defaults to a clock whose sleeps end on time.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Told of each job `POST /jobs` creates, before the answer leaves: for a
   * test or a benchmark that measures how soon a client learns that a job
   * ended, against the simulator's own times. If it throws, the request
   * answers `500` and the job runs on.
   * @default {undefined}
   */
  onJobCreated?: (job: CreatedJob) => void;
}

/**
 * A job as {@linkcode SimulatorOptions.onJobCreated} is told of it, with
 * times in the simulator clock's milliseconds.
 *
 * @example
 * ```ts
 * import type { CreatedJob } from "./options.ts";
 *
 * const job: CreatedJob = { id: "a1", createdAt: 0, finishAt: 1_500 };
 * ```
 */
export interface CreatedJob {
  /** Its id, as in its `Location`. */
  readonly id: string;
  /** When it was created. */
  readonly createdAt: number;
  /** When it is scripted to turn final; a cancel request ends it sooner. */
  readonly finishAt: number;
}

/**
 * The longest duration a job may have, in milliseconds (one day).
 *
 * @example
 * ```ts
 * import { MAX_JOB_DURATION } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_JOB_DURATION, 24 * 60 * 60 * 1_000);
 * ```
 */
export const MAX_JOB_DURATION = 86_400_000;

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
    minDuration: rule(0, MAX_JOB_DURATION, false, "a number of milliseconds"),
    maxDuration: rule(0, MAX_JOB_DURATION, false, "a number of milliseconds"),
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
 * Bounds of the connection options of `serve()`, by option name.
 *
 * @example
 * ```ts
 * import { CONNECTION_RULES } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CONNECTION_RULES.maxConnections?.min, 1);
 * ```
 */
export const CONNECTION_RULES: Readonly<Record<string, NumberRule>> = Object
  .freeze({
    headerTimeout: rule(
      1,
      3_600_000,
      false,
      "a number of milliseconds",
    ),
    idleTimeout: rule(1, 3_600_000, false, "a number of milliseconds"),
    maxConnections: rule(1, 1_000_000, true, "an integer"),
    shutdownGrace: rule(
      0,
      3_600_000,
      false,
      "a number of milliseconds",
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
  /** See {@linkcode SimulatorOptions.minDuration}. */
  readonly minDuration: number;
  /** See {@linkcode SimulatorOptions.maxDuration}. */
  readonly maxDuration: number;
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
 * assert.deepEqual([DEFAULT_OPTIONS.minDuration, DEFAULT_OPTIONS.maxDuration], [2000, 5000]);
 * ```
 */
export const DEFAULT_OPTIONS: ResolvedOptions = Object.freeze({
  minDuration: 2_000,
  maxDuration: 5_000,
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

const RENAMED = [["minDelay", "minDuration"], ["maxDelay", "maxDuration"]];

/**
 * Applies the defaults and checks every option.
 *
 * @example
 * ```ts
 * import { resolveOptions } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolveOptions({ maxJobs: 5 }).maxJobs, 5);
 * assert.throws(() => resolveOptions({ minDuration: 3_000, maxDuration: 1_000 }), RangeError);
 * ```
 *
 * @param options The options as given.
 * @returns The options with defaults.
 * @throws {RangeError} When a value is out of range or the wrong type.
 * @throws {TypeError} When `legacy` is not a boolean, or for `minDelay` and
 * `maxDelay`, renamed `minDuration` and `maxDuration`.
 */
export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const resolved = { ...DEFAULT_OPTIONS };
  const action = "create the simulator";
  // The names of 0.1, refused rather than ignored so that old callers learn.
  for (const [old, now] of RENAMED) {
    if (old in options) {
      throw new TypeError(
        `Cannot ${action} as '${old}' is now '${now}': current value is ${
          show((options as Record<string, unknown>)[old])
        }`,
      );
    }
  }
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
          show(options.legacy)
        }`,
      );
    }
    resolved.legacy = options.legacy;
  }
  checkOrder(
    resolved.minDuration,
    resolved.maxDuration,
    "minDuration",
    "maxDuration",
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
