/**
 * A poll schedule that learns how long jobs take and polls where completion
 * is likely: few requests while a job is surely still running, a steady
 * cadence where it probably finishes.
 *
 * @module
 */

import type {
  CompletionObservation,
  PollContext,
  PollSchedule,
} from "./schedule.ts";
import { Backoff } from "./backoff.ts";
import { DurationHistogram, LONGEST_DURATION } from "./duration_histogram.ts";
import { assertFiniteAtLeast, show } from "../util/validate.ts";

/**
 * Options for {@linkcode LearnedSchedule}.
 *
 * @example Trade requests for earlier detection
 * ```ts
 * import { LearnedSchedule, type LearnedScheduleOptions } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const options: LearnedScheduleOptions = { latencyRatio: 0.1, halfLife: 50 };
 * assert.equal(new LearnedSchedule(options).latencyRatio, 0.1);
 * ```
 */
export interface LearnedScheduleOptions {
  /**
   * Schedule used until enough jobs have been observed, and for a job that
   * outlives nearly every job seen so far.
   *
   * @default {new Backoff()}
   */
  fallback?: PollSchedule;
  /**
   * Number of jobs observed (a plain count, not weighted by recency) before
   * the learned distribution replaces the fallback, an integer of at least
   * 1: any value takes effect whatever the `halfLife`.
   *
   * @default {5}
   */
  minSamples?: number;
  /**
   * Number of later observations after which an observation counts half as
   * much, so that the schedule follows durations that drift; finite and at
   * least 1.
   *
   * @default {100}
   */
  halfLife?: number;
  /**
   * Target 95th-percentile detection latency as a fraction of the median job
   * duration: smaller means more requests and earlier detection. The default
   * detects lognormal jobs (σ 0.5) twice as fast at the 95th percentile as a
   * 1 s → 5 s backoff, with fewer requests.
   *
   * @default {0.215}
   */
  latencyRatio?: number;
}

// Planned share of detections later than the target latency: the 5 % that a
// 95th percentile allows, less 1.5 % for the error of an estimate learned
// from a few hundred censored observations (in simulation this keeps the
// realised 95th percentile at the target, where a 5 % plan overshoots it).
const LATE_BUDGET = 0.035;
// Every gap but the first is at most this many target latencies, so that a
// job in a long tail is still seen soon after it finishes.
const MAX_GAP = 4;
// The target latency is never below 1 ms, so that a plan cannot spin, nor
// above the longest duration the histogram tells apart, so that every
// planned time stays finite whatever the `latencyRatio`.
const MIN_TARGET = 1;
const MAX_TARGET = LONGEST_DURATION;
// The plan ends where fewer than this share of jobs are still running.
const HORIZON = 1e-3;
// Bounds on the work and memory of one plan.
const MAX_POLLS = 1024;
const MAX_STEPS = 8192;

/**
 * A {@linkcode PollSchedule} that learns the distribution of job durations
 * online and plans each wait's polls from it.
 *
 * Every finished wait is an observation that completion lay in
 * `(after, atMost]`; a legacy server never tells the exact time, so the
 * observation's weight is spread over that interval in proportion to a
 * lognormal fitted to what has been learned so far (the E-step of an online
 * EM for interval-censored data), while the histogram that receives it keeps
 * whatever shape the durations really have. A first answer that was already
 * final (`after` 0) is the interval `(0, atMost]`, never an exact duration:
 * it only says the job took at most `atMost`. Older observations decay by
 * half every `halfLife` observations, and memory stays fixed at a 512-bin
 * histogram.
 *
 * From the estimate it plans poll times that minimise the expected number of
 * requests while keeping the share of detections later than the target
 * latency (`latencyRatio` times the median duration) within 3.5 %, so that
 * the 95th percentile stays on target despite estimation error: consecutive
 * polls are one target latency apart where completions are dense, and the
 * gap is stretched where the expected requests saved outweigh the late
 * detections caused, above all before the first jobs usually finish.
 *
 * Until `minSamples` jobs have been observed (counted one by one, so that
 * any `minSamples` is reached however short the `halfLife`), and past the
 * end of the plan, it defers to the fallback schedule. It uses no randomness
 * and no clock.
 *
 * @example Learn from finished jobs, then poll around the usual duration
 * ```ts
 * import { LearnedSchedule } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const schedule = new LearnedSchedule();
 * for (let i = 0; i < 50; i++) {
 *   const duration = 8000 + 100 * (i % 40); // 8 to 12 s
 *   schedule.observe({ after: duration, atMost: duration });
 * }
 * // No request is spent before jobs usually finish…
 * const first = schedule.nextDelay({ attempt: 1, elapsed: 0 });
 * assert.ok(first >= 8000 && first <= 10_500);
 * // …then one every `latencyRatio` (0.215) times the median (here ~2 s)
 * assert.ok(schedule.nextDelay({ attempt: 2, elapsed: first }) <= 2500);
 * ```
 */
export class LearnedSchedule implements PollSchedule {
  /** Schedule used while too little has been learned. */
  readonly fallback: PollSchedule;
  /** Number of jobs observed before learning is used. */
  readonly minSamples: number;
  /** Observations after which an observation's weight halves. */
  readonly halfLife: number;
  /** Target 95th-percentile latency as a fraction of the median duration. */
  readonly latencyRatio: number;
  #histogram: DurationHistogram;
  // The plan, rebuilt lazily after each observation.
  #plan: number[] | undefined;
  #target = 0;

  /**
   * Creates a schedule that has not learned anything yet.
   *
   * @param options The schedule's parameters.
   * @throws {RangeError} If a number is out of range.
   * @throws {TypeError} If `fallback` is not a poll schedule.
   */
  constructor(options: LearnedScheduleOptions = {}) {
    const {
      fallback = new Backoff(),
      minSamples = 5,
      halfLife = 100,
      latencyRatio = 0.215,
    } = options;
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
    if (
      typeof latencyRatio !== "number" || !Number.isFinite(latencyRatio) ||
      latencyRatio <= 0
    ) {
      throw new RangeError(
        `Cannot create LearnedSchedule as 'latencyRatio' must be a positive finite number: current value is ${
          show(latencyRatio)
        }`,
      );
    }
    this.fallback = fallback;
    this.minSamples = minSamples;
    this.halfLife = halfLife;
    this.latencyRatio = latencyRatio;
    this.#histogram = new DurationHistogram(halfLife);
  }

  /**
   * How many jobs have been observed, the count that `minSamples` is
   * compared with. It is not weighted by recency: recency only weighs how
   * much each observation shapes the learned distribution.
   *
   * @example
   * ```ts
   * import { LearnedSchedule } from "./learned_schedule.ts";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule({ halfLife: 1 });
   * schedule.observe({ after: 900, atMost: 1000 });
   * schedule.observe({ after: 0, atMost: 1000 });
   * assert.equal(schedule.samples, 2);
   * ```
   *
   * @returns The number of observations.
   */
  get samples(): number {
    return this.#histogram.observations;
  }

  /**
   * The learned `p`-quantile of job durations.
   *
   * @example The median of what was learned
   * ```ts
   * import { LearnedSchedule } from "./learned_schedule.ts";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule();
   * assert.equal(schedule.quantile(0.5), undefined);
   * schedule.observe({ after: 9000, atMost: 11000 });
   * assert.equal(Math.round(schedule.quantile(0.5)! / 100), 100);
   * ```
   *
   * @param p A probability between 0 and 1.
   * @returns Milliseconds, or `undefined` before the first observation.
   * @throws {RangeError} If `p` is not between 0 and 1.
   */
  quantile(p: number): number | undefined {
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(
        `Cannot compute quantile as 'p' must be between 0 and 1: current value is ${
          show(p)
        }`,
      );
    }
    if (this.samples === 0) return undefined;
    return this.#histogram.quantile(p);
  }

  /**
   * Learns from a finished wait where its job's completion lay.
   *
   * @example A legacy server only brackets the completion
   * ```ts
   * import { LearnedSchedule } from "./learned_schedule.ts";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule();
   * schedule.observe({ after: 7000, atMost: 12000 });
   * const median = schedule.quantile(0.5)!;
   * assert.ok(median > 7000 && median <= 12000);
   * ```
   *
   * @param observation Milliseconds since the job started: when the last
   * `pending` answer was received (0 if none was) and when the first final
   * one was, equal only when the exact time was observed.
   * @throws {RangeError} Unless `0 <= after <= atMost` are finite numbers.
   */
  observe(observation: CompletionObservation): void {
    const { after, atMost } = observation;
    if (!(Number.isFinite(after) && after >= 0)) {
      throw new RangeError(
        `Cannot observe as 'after' must be a non-negative finite number: current value is ${
          show(after)
        }`,
      );
    }
    if (!(Number.isFinite(atMost) && atMost >= after)) {
      throw new RangeError(
        `Cannot observe as 'atMost' must be a finite number of at least 'after' (${after}): current value is ${
          show(atMost)
        }`,
      );
    }
    this.#histogram.observe({ after, atMost });
    this.#plan = undefined;
  }

  /**
   * The delay until the next planned poll at least half a target latency
   * away, or the fallback's delay while too little is known or once the job
   * has outlived the plan. A planned delay is always a positive finite
   * number; an `elapsed` below 0 (a clock that went back) counts as 0.
   *
   * @example
   * ```ts
   * import { Backoff } from "./backoff.ts";
   * import { LearnedSchedule } from "./learned_schedule.ts";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule({ fallback: new Backoff({ jitter: 0 }) });
   * assert.equal(schedule.nextDelay({ attempt: 1, elapsed: 0 }), 1000);
   * ```
   *
   * @param context The wait so far.
   * @returns Milliseconds to wait.
   */
  nextDelay(context: PollContext): number {
    if (this.samples < this.minSamples) return this.fallback.nextDelay(context);
    const plan = this.#ensurePlan();
    // Also maps NaN to 0, so that the search below cannot return NaN.
    const elapsed = context.elapsed > 0 ? context.elapsed : 0;
    const earliest = elapsed + this.#target / 2;
    let low = 0;
    let high = plan.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (plan[middle] < earliest) low = middle + 1;
      else high = middle;
    }
    if (low === plan.length) return this.fallback.nextDelay(context);
    return plan[low] - elapsed;
  }

  #ensurePlan(): number[] {
    if (this.#plan) return this.#plan;
    const target = Math.min(
      MAX_TARGET,
      Math.max(MIN_TARGET, this.latencyRatio * this.#histogram.quantile(0.5)),
    );
    this.#target = target;
    // The exchange rate between late detections and saved requests is the
    // one Lagrange multiplier of the problem: bisect it on a log scale for
    // the largest rate whose plan stays within the late budget.
    let low = -8;
    let high = 4;
    let plan = this.#planFor(target, 10 ** low).polls;
    for (let i = 0; i < 16; i++) {
      const middle = (low + high) / 2;
      const candidate = this.#planFor(target, 10 ** middle);
      if (candidate.late <= LATE_BUDGET) {
        low = middle;
        plan = candidate.polls;
      } else {
        high = middle;
      }
    }
    this.#plan = plan;
    return plan;
  }

  // Plans poll times from 0: each gap is the target latency, stretched step
  // by step while the late detections a step causes cost at most `rate`
  // times the requests it saves. Returns the polls and the share of late
  // detections.
  #planFor(target: number, rate: number): { polls: number[]; late: number } {
    const polls = [0];
    const step = target / 16;
    let late = 0;
    let steps = 0;
    let time = 0;
    while (polls.length < MAX_POLLS && steps < MAX_STEPS) {
      if (1 - this.#histogram.cdf(time) < HORIZON) break;
      const longest = polls.length === 1 ? Infinity : (MAX_GAP - 1) * target;
      let stretch = 0;
      while (stretch < longest && steps++ < MAX_STEPS) {
        const from = time + stretch;
        if (1 - this.#histogram.cdf(from) < HORIZON) break;
        const cost = this.#histogram.cdf(from + step) -
          this.#histogram.cdf(from);
        const saved = (step / target) *
          (1 - this.#histogram.cdf(from + step + target));
        if (saved === 0 || cost > rate * saved) break;
        stretch += step;
      }
      late += this.#histogram.cdf(time + stretch) - this.#histogram.cdf(time);
      time += stretch + target;
      polls.push(time);
    }
    return { polls, late };
  }
}
