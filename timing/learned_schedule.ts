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
import { assertFiniteAtLeast } from "../util/validate.ts";

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
   * Number of observed jobs (weighted by recency) needed before the learned
   * distribution replaces the fallback.
   *
   * @default {5}
   */
  minSamples?: number;
  /**
   * Number of later observations after which an observation counts half as
   * much, so that the schedule follows durations that drift.
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

// Durations are kept in a histogram with 16 logarithmic bins per octave from
// 1 ms to about 25 days (bin 0 holds [0, 1 ms)): 4 KiB whatever the number of
// observations, and 4.4 % resolution at any time scale.
const BINS_PER_OCTAVE = 16;
const BIN_COUNT = 512;
const EDGES = Float64Array.from(
  { length: BIN_COUNT + 1 },
  (_, i) => i === 0 ? 0 : 2 ** ((i - 1) / BINS_PER_OCTAVE),
);
const LONGEST = EDGES[BIN_COUNT];

// Bounds that keep the shape model finite: log-durations below 1 µs count as
// 1 µs, and its spread is never narrower than one bin.
const MIN_LOG_TIME = 1e-3;
const MIN_LOG_SPREAD = Math.LN2 / BINS_PER_OCTAVE;
// The estimate is the histogram smoothed by a Gaussian kernel whose standard
// deviation is KERNEL_WIDTH bins, cut off at three of them.
const KERNEL_WIDTH = 3;
const KERNEL = Float64Array.from(
  { length: Math.ceil(3 * KERNEL_WIDTH) + 1 },
  (_, i) => Math.exp(-0.5 * (i / KERNEL_WIDTH) ** 2),
);
// Planned share of detections later than the target latency: the 5 % that a
// 95th percentile allows, less 1.5 % for the error of an estimate learned
// from a few hundred censored observations (in simulation this keeps the
// realised 95th percentile at the target, where a 5 % plan overshoots it).
const LATE_BUDGET = 0.035;
// Every gap but the first is at most this many target latencies, so that a
// job in a long tail is still seen soon after it finishes.
const MAX_GAP = 4;
// The target latency is never below 1 ms, so that a plan cannot spin.
const MIN_TARGET = 1;
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
 * whatever shape the durations really have. Older observations decay by half
 * every `halfLife` observations, and memory stays fixed at a 512-bin
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
 * Until `minSamples` jobs have been observed, and past the end of the plan,
 * it defers to the fallback schedule. It uses no randomness and no clock.
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
  /** Weighted number of observations needed before learning is used. */
  readonly minSamples: number;
  /** Observations after which an observation's weight halves. */
  readonly halfLife: number;
  /** Target 95th-percentile latency as a fraction of the median duration. */
  readonly latencyRatio: number;
  #decay: number;
  #mass = new Float64Array(BIN_COUNT);
  #weight = 0;
  // The shape model: recency-weighted sums of the log-duration and its
  // square, whose lognormal shapes how a censored observation is spread.
  #modelWeight = 0;
  #logSum = 0;
  #logSquareSum = 0;
  // Cumulative mass below each bin edge, and the plan; both rebuilt lazily.
  #smooth = new Float64Array(BIN_COUNT);
  #below = new Float64Array(BIN_COUNT + 1);
  #current = false;
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
    assertFiniteAtLeast("LearnedSchedule", "minSamples", minSamples, 1);
    assertFiniteAtLeast("LearnedSchedule", "halfLife", halfLife, 1);
    if (
      typeof latencyRatio !== "number" || !Number.isFinite(latencyRatio) ||
      latencyRatio <= 0
    ) {
      throw new RangeError(
        `Cannot create LearnedSchedule as 'latencyRatio' must be a positive finite number: current value is ${
          String(latencyRatio)
        }`,
      );
    }
    this.fallback = fallback;
    this.minSamples = minSamples;
    this.halfLife = halfLife;
    this.latencyRatio = latencyRatio;
    this.#decay = 2 ** (-1 / halfLife);
  }

  /**
   * The recency-weighted number of jobs observed: it grows by one per
   * observation and never exceeds about `1.44 * halfLife`.
   *
   * @example
   * ```ts
   * import { LearnedSchedule } from "./learned_schedule.ts";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule({ halfLife: 1 });
   * schedule.observe({ after: 900, atMost: 1000 });
   * schedule.observe({ after: 900, atMost: 1000 });
   * assert.equal(schedule.samples, 1.5);
   * ```
   *
   * @returns The effective sample size.
   */
  get samples(): number {
    return this.#weight;
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
        `Cannot compute quantile as 'p' must be between 0 and 1: current value is ${p}`,
      );
    }
    if (this.#weight === 0) return undefined;
    this.#accumulate();
    return this.#quantile(p);
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
   * @param observation Milliseconds since the wait started: the last
   * `pending` answer and the first final one (equal when exact).
   * @throws {RangeError} Unless `0 <= after <= atMost` are finite numbers.
   */
  observe(observation: CompletionObservation): void {
    const { after, atMost } = observation;
    if (!(Number.isFinite(after) && after >= 0)) {
      throw new RangeError(
        `Cannot observe as 'after' must be a non-negative finite number: current value is ${after}`,
      );
    }
    if (!(Number.isFinite(atMost) && atMost >= after)) {
      throw new RangeError(
        `Cannot observe as 'atMost' must be a finite number of at least 'after' (${after}): current value is ${atMost}`,
      );
    }
    // The E-step: spread the unit of weight over the bins the interval
    // overlaps in proportion to the shape model's probability there (evenly
    // before there is a model), and take the expected log-duration moments.
    const low = Math.min(after, LONGEST);
    const high = Math.min(atMost, LONGEST);
    const first = binOf(low);
    const last = binOf(high);
    const share = new Float64Array(last - first + 1);
    const logs = new Float64Array(last - first + 1);
    if (high === low || first === last) {
      share[last - first] = 1;
      logs[last - first] = Math.log(Math.max(MIN_LOG_TIME, (low + high) / 2));
    } else {
      const mean = this.#logSum / this.#modelWeight;
      const spread = Math.max(
        MIN_LOG_SPREAD ** 2,
        this.#logSquareSum / this.#modelWeight - mean ** 2,
      );
      let nearest = Infinity;
      for (let i = first; i <= last; i++) {
        const inside = overlap(i, low, high);
        const lo = Math.max(low, EDGES[i]);
        logs[i - first] = Math.log(Math.max(MIN_LOG_TIME, lo + inside / 2));
        if (inside > 0 && this.#modelWeight > 0) {
          nearest = Math.min(nearest, (logs[i - first] - mean) ** 2);
        }
      }
      let total = 0;
      for (let i = first; i <= last; i++) {
        const inside = overlap(i, low, high);
        const density = this.#modelWeight > 0
          ? Math.exp(-((logs[i - first] - mean) ** 2 - nearest) / (2 * spread))
          : EDGES[i + 1] - EDGES[i];
        share[i - first] = density * inside / (EDGES[i + 1] - EDGES[i]);
        total += share[i - first];
      }
      for (let i = first; i <= last; i++) share[i - first] /= total;
    }
    const mass = this.#mass;
    const decay = this.#decay;
    for (let i = 0; i < BIN_COUNT; i++) mass[i] *= decay;
    let logSum = 0;
    let logSquareSum = 0;
    for (let i = first; i <= last; i++) {
      mass[i] += share[i - first];
      logSum += share[i - first] * logs[i - first];
      logSquareSum += share[i - first] * logs[i - first] ** 2;
    }
    this.#weight = this.#weight * decay + 1;
    this.#modelWeight = this.#modelWeight * decay + 1;
    this.#logSum = this.#logSum * decay + logSum;
    this.#logSquareSum = this.#logSquareSum * decay + logSquareSum;
    this.#current = false;
    this.#plan = undefined;
  }

  /**
   * The delay until the next planned poll at least half a target latency
   * away, or the fallback's delay while too little is known or once the job
   * has outlived the plan.
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
    if (this.#weight < this.minSamples) return this.fallback.nextDelay(context);
    const plan = this.#ensurePlan();
    const earliest = context.elapsed + this.#target / 2;
    let low = 0;
    let high = plan.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (plan[middle] < earliest) low = middle + 1;
      else high = middle;
    }
    if (low === plan.length) return this.fallback.nextDelay(context);
    return plan[low] - context.elapsed;
  }

  #ensurePlan(): number[] {
    if (this.#plan) return this.#plan;
    this.#accumulate();
    const target = Math.max(
      MIN_TARGET,
      this.latencyRatio * this.#quantile(0.5),
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

  // Brings #smooth (the histogram convolved with a Gaussian kernel in log
  // time) and #below (its cumulative sums) up to date.
  #accumulate(): void {
    if (this.#current) return;
    const mass = this.#mass;
    const smooth = this.#smooth.fill(0);
    const reach = KERNEL.length - 1;
    for (let i = 0; i < BIN_COUNT; i++) {
      if (mass[i] === 0) continue;
      const from = Math.max(0, i - reach);
      const to = Math.min(BIN_COUNT - 1, i + reach);
      let total = 0;
      for (let j = from; j <= to; j++) total += KERNEL[Math.abs(j - i)];
      for (let j = from; j <= to; j++) {
        smooth[j] += mass[i] * KERNEL[Math.abs(j - i)] / total;
      }
    }
    const below = this.#below;
    for (let i = 0; i < BIN_COUNT; i++) below[i + 1] = below[i] + smooth[i];
    this.#current = true;
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
      if (1 - this.#cdf(time) < HORIZON) break;
      const longest = polls.length === 1 ? Infinity : (MAX_GAP - 1) * target;
      let stretch = 0;
      while (stretch < longest && steps++ < MAX_STEPS) {
        const from = time + stretch;
        if (1 - this.#cdf(from) < HORIZON) break;
        const cost = this.#cdf(from + step) - this.#cdf(from);
        const saved = (step / target) *
          (1 - this.#cdf(from + step + target));
        if (saved === 0 || cost > rate * saved) break;
        stretch += step;
      }
      late += this.#cdf(time + stretch) - this.#cdf(time);
      time += stretch + target;
      polls.push(time);
    }
    return { polls, late };
  }

  // The estimated probability that a job takes at most `time` ms; needs
  // #below to be current.
  #cdf(time: number): number {
    if (time >= LONGEST) return 1;
    const bin = binOf(time);
    const width = EDGES[bin + 1] - EDGES[bin];
    const fraction = Math.min(1, Math.max(0, (time - EDGES[bin]) / width));
    const within = this.#smooth[bin] * fraction;
    return (this.#below[bin] + within) / this.#weight;
  }

  // The estimated p-quantile; needs #below to be current.
  #quantile(p: number): number {
    const wanted = p * this.#weight;
    const below = this.#below;
    let low = 0;
    let high = BIN_COUNT;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (below[middle + 1] < wanted) low = middle + 1;
      else high = middle;
    }
    const bin = Math.min(low, BIN_COUNT - 1);
    const mass = this.#smooth[bin];
    const fraction = mass > 0 ? (wanted - below[bin]) / mass : 0;
    return EDGES[bin] +
      Math.min(1, Math.max(0, fraction)) * (EDGES[bin + 1] - EDGES[bin]);
  }
}

function binOf(time: number): number {
  if (time < 1) return 0;
  return Math.min(
    BIN_COUNT - 1,
    1 + Math.floor(Math.log2(time) * BINS_PER_OCTAVE),
  );
}

function overlap(bin: number, low: number, high: number): number {
  return Math.max(
    0,
    Math.min(high, EDGES[bin + 1]) - Math.max(low, EDGES[bin]),
  );
}
