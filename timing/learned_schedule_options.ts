/**
 * The options of `LearnedSchedule` and how they are checked and defaulted.
 *
 * @module
 */

import { Backoff } from "./backoff.ts";
import type { PollSchedule } from "./schedule.ts";
import { assertFiniteAtLeast, show } from "../util/validate.ts";

/**
 * Options for {@linkcode LearnedSchedule}. Set at most one of
 * `targetLatency`, `latencyRatio` and `maxRequestsPerJob`; with none, the
 * target latency is 5 s.
 *
 * @example Detect at p95 within 2 s, with as few requests as that allows
 * ```ts
 * import { LearnedSchedule, type LearnedScheduleOptions } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const options: LearnedScheduleOptions = { targetLatency: 2000 };
 * assert.equal(new LearnedSchedule(options).targetLatency, 2000);
 * ```
 */
export interface LearnedScheduleOptions {
  /**
   * Schedule used until enough jobs have been observed (and while the plan
   * spans less than a target). Its default polls no later than the
   * target: a backoff from 1 s (or the target, if shorter) capped at the
   * target latency, or at 5 s for `latencyRatio` and `maxRequestsPerJob`.
   *
   * @default {new Backoff({ initialDelay: Math.min(1000, targetLatency), maxDelay: targetLatency })}
   */
  fallback?: PollSchedule;
  /**
   * Number of jobs observed (a plain count of those that ended and the
   * waits still running) before the learned distribution replaces the
   * fallback, an integer of at least 1.
   *
   * @default {5}
   */
  minSamples?: number;
  /**
   * Number of later jobs after which what was learned from a job counts
   * half as much, so that the schedule follows durations that drift; finite
   * and at least 1.
   *
   * @default {100}
   */
  halfLife?: number;
  /**
   * The 95th-percentile detection latency wanted, in ms (positive, finite):
   * the schedule spends as few requests as that allows.
   *
   * @default {5000}
   */
  targetLatency?: number;
  /**
   * Instead of `targetLatency`: the 95th-percentile latency as a fraction of
   * the learned median duration (positive, finite).
   */
  latencyRatio?: number;
  /**
   * Instead of `targetLatency`: the expected status requests per job
   * (finite, at least 2), for which the schedule plans the lowest
   * 95th-percentile latency. They are counted for a wait whose first
   * request waits for the plan (on a job from `createJob()`, without
   * webhooks); a wait that asks at once sends one more.
   */
  maxRequestsPerJob?: number;
}

/** The target latency when no option names one, in ms. */
const DEFAULT_TARGET = 5000;

/** The options with their defaults, checked. */
export interface ResolvedOptions {
  fallback: PollSchedule;
  minSamples: number;
  halfLife: number;
  targetLatency: number | undefined;
  latencyRatio: number | undefined;
  maxRequestsPerJob: number | undefined;
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws {RangeError} If a number is out of range.
 * @throws {TypeError} If `fallback` is not a poll schedule, or more than
 * one of `targetLatency`, `latencyRatio` and `maxRequestsPerJob` is set.
 */
export function resolveOptions(
  options: LearnedScheduleOptions,
): ResolvedOptions {
  const { minSamples = 5, halfLife = 100, latencyRatio, maxRequestsPerJob } =
    options;
  const aims = ["targetLatency", "latencyRatio", "maxRequestsPerJob"]
    .filter((name) => options[name as keyof typeof options] !== undefined);
  if (aims.length > 1) {
    throw new TypeError(
      `Cannot create LearnedSchedule as only one of 'targetLatency', 'latencyRatio' and 'maxRequestsPerJob' may be set: current value sets ${
        aims.map((name) => `'${name}'`).join(" and ")
      }`,
    );
  }
  const targetLatency = aims.length === 0
    ? DEFAULT_TARGET
    : options.targetLatency;
  positive("targetLatency", targetLatency);
  positive("latencyRatio", latencyRatio);
  if (maxRequestsPerJob !== undefined) {
    assertFiniteAtLeast(
      "LearnedSchedule",
      "maxRequestsPerJob",
      maxRequestsPerJob,
      2,
    );
  }
  const cap = targetLatency ?? DEFAULT_TARGET;
  const fallback = options.fallback ??
    new Backoff({ initialDelay: Math.min(1000, cap), maxDelay: cap });
  if (typeof fallback?.nextDelay !== "function") {
    throw new TypeError(
      `Cannot create LearnedSchedule as 'fallback' must be a poll schedule: current value is ${
        String(fallback)
      }`,
    );
  }
  if (!Number.isInteger(minSamples) || minSamples < 1) {
    throw new RangeError(
      `Cannot create LearnedSchedule as 'minSamples' must be an integer of at least 1: current value is ${
        show(minSamples)
      }`,
    );
  }
  assertFiniteAtLeast("LearnedSchedule", "halfLife", halfLife, 1);
  return {
    fallback,
    minSamples,
    halfLife,
    targetLatency,
    latencyRatio,
    maxRequestsPerJob,
  };
}

function positive(name: string, value: number | undefined): void {
  if (
    value !== undefined &&
    (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
  ) {
    throw new RangeError(
      `Cannot create LearnedSchedule as '${name}' must be a positive finite number: current value is ${
        show(value)
      }`,
    );
  }
}

/** Throws a RangeError unless `value` is a non-negative finite number. */
export function assertNonNegative(
  action: string,
  name: string,
  value: number,
): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(
      `Cannot ${action} as '${name}' must be a non-negative finite number: current value is ${
        show(value)
      }`,
    );
  }
}

/**
 * Throws a RangeError unless `0 <= after <= atMost` are finite numbers and
 * `watchedFrom`, if given, is a non-negative finite number.
 */
export function assertInterval(
  after: number,
  atMost: number,
  watchedFrom: number | undefined,
): void {
  if (watchedFrom !== undefined) {
    assertNonNegative("observe", "watchedFrom", watchedFrom);
  }
  assertNonNegative("observe", "after", after);
  if (!(Number.isFinite(atMost) && atMost >= after)) {
    throw new RangeError(
      `Cannot observe as 'atMost' must be a finite number of at least 'after' (${after}): current value is ${
        show(atMost)
      }`,
    );
  }
}

/** Throws a RangeError unless `p` is a probability. */
export function assertProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(
      `Cannot compute quantile as 'p' must be between 0 and 1: current value is ${
        show(p)
      }`,
    );
  }
}
