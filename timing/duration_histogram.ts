/**
 * The learned distribution of job durations behind `LearnedSchedule`: a
 * fixed-size, recency-weighted histogram that learns from interval-censored
 * completions and right-censored waits, read as a Kaplan–Meier estimate.
 *
 * @module
 */

import type { CompletionObservation } from "./schedule.ts";
import {
  BIN_COUNT,
  binOf,
  EDGES,
  intervalShares,
  LONGEST_DURATION,
  pointShares,
} from "./duration_bins.ts";
import { atRisk, kaplanMeier } from "./kaplan_meier.ts";
import type { DurationEstimate } from "./poll_plan.ts";

export { LONGEST_DURATION } from "./duration_bins.ts";

// The estimate is smoothed by a Gaussian kernel whose standard deviation is
// KERNEL_WIDTH bins, cut off at three of them.
const KERNEL_WIDTH = 3;
const KERNEL = Float64Array.from(
  { length: Math.ceil(3 * KERNEL_WIDTH) + 1 },
  (_, i) => Math.exp(-0.5 * (i / KERNEL_WIDTH) ** 2),
);
const REACH = KERNEL.length - 1;
// The cautious cdf lets one job more than were seen end, out of the jobs
// known to have lived that long, of the share still running. (Tried: a
// binomial standard error on top cost more requests than it saved late
// detections; one job of all made the few that reach a long tail end at
// once, so that the tail was polled densely.)
const EXTRA_JOBS = 1;

/**
 * What a histogram has learned, as plain numbers: what `LearnedSchedule`
 * saves, restores and merges. The arrays have {@linkcode BIN_COUNT} entries.
 */
export interface HistogramState {
  /** Completions learned from, not weighted by recency. */
  observations: number;
  /** Recency-weighted sum of the completions' log-durations. */
  logSum: number;
  /** Recency-weighted sum of their squares. */
  logSquareSum: number;
  /** Recency-weighted completions by bin. */
  completed: Float64Array;
  /** Recency-weighted waits given up by bin: their jobs ran longer. */
  unfinished: Float64Array;
}

/**
 * A recency-weighted estimate of the distribution of job durations.
 *
 * It learns three kinds of evidence. A completion lay in `(after, atMost]`
 * (or at `atMost` exactly when both are equal): its weight is spread over
 * that interval in proportion to √time if a wait watched it, else to a
 * lognormal fitted to the completions so far (the E-step of an online EM
 * for interval-censored data), while the histogram keeps whatever shape
 * the durations really have. A wait given up, and a wait still running,
 * says that its job runs longer than its age (right-censored). The estimate is the Kaplan–Meier
 * product of the hazards this implies, bin by bin, so that jobs that end
 * first (the short ones of a batch) do not teach that jobs are short: the
 * waits still running count as the evidence they are.
 *
 * Weights decay by half every `halfLife` {@linkcode DurationHistogram.tick}s;
 * memory stays fixed at three 512-bin arrays.
 *
 * @example Learn two durations and read the median
 * ```ts
 * import { DurationHistogram } from "./duration_histogram.ts";
 * import assert from "node:assert/strict";
 *
 * const histogram = new DurationHistogram(100);
 * histogram.observe({ after: 1000, atMost: 1000 });
 * histogram.observe({ after: 3000, atMost: 3000 });
 * assert.equal(histogram.observations, 2);
 * assert.ok(histogram.cdf(500) < 0.01 && histogram.cdf(5000) > 0.99);
 * const median = histogram.quantile(0.5);
 * assert.ok(median > 1000 && median < 3000);
 * ```
 */
export class DurationHistogram {
  #observations = 0;
  #decay: number;
  #completed = new Float64Array(BIN_COUNT);
  #unfinished = new Float64Array(BIN_COUNT);
  #running = new Float64Array(BIN_COUNT);
  // The recency-weighted number of completions: #completed's total.
  #weight = 0;
  // The shape model: recency-weighted sums of the log-duration and its
  // square, whose lognormal shapes how a censored observation is spread.
  #logSum = 0;
  #logSquareSum = 0;
  // The estimated density by bin, smoothed, and the cumulative probability
  // below each bin edge; both rebuilt lazily.
  #smooth = new Float64Array(BIN_COUNT);
  #below = new Float64Array(BIN_COUNT + 1);
  #horizon = 0;
  // The recency-weighted jobs known to have run at least to each bin.
  #atRisk = new Float64Array(BIN_COUNT);
  #current = false;

  /**
   * Creates an empty histogram.
   *
   * @param halfLife Ticks after which evidence counts half as much; the
   * caller checks that it is at least 1.
   */
  constructor(halfLife: number) {
    this.#decay = 2 ** (-1 / halfLife);
  }

  /**
   * How many completions were learned from, not weighted by recency (the
   * class's example counts them).
   *
   * @returns The number of completions.
   */
  get observations(): number {
    return this.#observations;
  }

  /** The factor by which one tick weighs all evidence down. */
  get decay(): number {
    return this.#decay;
  }

  /**
   * Ages all evidence by one step: one more job started (or, for a caller
   * that does not tell starts, one more completed).
   */
  tick(): void {
    const decay = this.#decay;
    for (const array of [this.#completed, this.#unfinished, this.#running]) {
      for (let i = 0; i < BIN_COUNT; i++) array[i] *= decay;
    }
    this.#weight *= decay;
    this.#logSum *= decay;
    this.#logSquareSum *= decay;
    this.#current = false;
  }

  /**
   * Learns where one completion lay.
   *
   * @example An interval spreads over what it covers
   * ```ts
   * import { DurationHistogram } from "./duration_histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const histogram = new DurationHistogram(100);
   * histogram.observe({ after: 7000, atMost: 12_000 });
   * assert.ok(histogram.quantile(0.1) > 6500 && histogram.quantile(0.9) < 12_500);
   * ```
   *
   * @param observation Milliseconds since the job started; the caller checks
   * that `0 <= after <= atMost` are finite.
   * @param weight How much it counts: 1 for a job that started now, less for
   * one that started `n` ticks ago (`decay ** n`).
   * @param watched Whether a wait watched the interval (it began by
   * `after`): a gap its plan chose, spread in proportion to √time, as
   * the shape model (fitted from such gaps spread by it) understates their
   * early part; not one from before anyone looked, which so spread would
   * invent short jobs.
   */
  observe(
    observation: CompletionObservation,
    weight = 1,
    watched = false,
  ): void {
    const low = Math.min(observation.after, LONGEST_DURATION);
    const high = Math.min(observation.atMost, LONGEST_DURATION);
    const first = binOf(low);
    const last = binOf(high);
    const { share, logs } = high === low || first === last
      ? pointShares(low, high, last - first + 1)
      : intervalShares(
        low,
        high,
        first,
        last,
        watched ? undefined : {
          weight: this.#weight,
          logSum: this.#logSum,
          logSquareSum: this.#logSquareSum,
        },
      );
    for (let i = first; i <= last; i++) {
      const part = weight * share[i - first];
      this.#completed[i] += part;
      this.#logSum += part * logs[i - first];
      this.#logSquareSum += part * logs[i - first] ** 2;
    }
    this.#weight += weight;
    this.#observations++;
    this.#current = false;
  }

  /**
   * Learns that a job ran longer than `age` ms: from a wait given up for
   * good, or (with `running`) from a wait still running, whose evidence is
   * taken back with the opposite `weight` when it moves on or ends.
   *
   * @param age Milliseconds since the job started, at least 0.
   * @param weight Its weight as in {@linkcode DurationHistogram.observe}.
   * @param running Whether the wait is still running.
   */
  censor(age: number, weight: number, running = false): void {
    const array = running ? this.#running : this.#unfinished;
    const bin = binOf(age);
    // A removal may undershoot 0 by rounding in the decays.
    array[bin] = Math.max(0, array[bin] + weight);
    this.#current = false;
  }

  /** Forgets every running wait: there is none left. */
  clearRunning(): void {
    this.#running.fill(0);
    this.#current = false;
  }

  /**
   * The estimated probability that a job takes at most `time` ms; where the
   * evidence ends with jobs still running, it stays below 1.
   *
   * @example
   * ```ts
   * import { DurationHistogram } from "./duration_histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const histogram = new DurationHistogram(100);
   * histogram.observe({ after: 1000, atMost: 1000 });
   * assert.equal(histogram.cdf(Infinity), 1);
   * ```
   *
   * @param time Milliseconds.
   * @returns A probability; 0 before the first completion.
   */
  cdf(time: number): number {
    if (time >= LONGEST_DURATION) return 1;
    this.#accumulate();
    const bin = binOf(time);
    const width = EDGES[bin + 1] - EDGES[bin];
    const fraction = Math.min(1, Math.max(0, (time - EDGES[bin]) / width));
    // Rounding in the sums may overshoot 1 by an ulp.
    return Math.min(1, this.#below[bin] + this.#smooth[bin] * fraction);
  }

  /**
   * A cautious {@linkcode DurationHistogram.cdf}: one more job ends, of
   * those known to have lived `time` ms, so that a plan learned from a
   * handful of jobs does not bet on what they happened to show.
   *
   * @param time Milliseconds.
   * @returns A probability.
   */
  cautiousCdf(time: number): number {
    return Math.min(1, this.cdf(time) + this.#oneMore(time));
  }

  #oneMore(time: number): number {
    const risk = this.#atRisk[binOf(time)];
    return (risk > 0 ? Math.min(1, EXTRA_JOBS / risk) : 1) *
      (1 - this.cdf(time));
  }

  /**
   * What a plan is made from: the cautious cdf, the best estimate of the
   * jobs still running, one more job of those running, and the horizon.
   *
   * @returns The estimate, reading this histogram as it learns.
   */
  forPlanning(): DurationEstimate {
    return {
      cdf: (time) => this.cautiousCdf(time),
      surviving: (time) => 1 - this.cdf(time),
      oneMore: (time) => this.#oneMore(time),
      horizon: this.horizon,
    };
  }

  /**
   * Where the evidence ends, in ms (the last completions, or the oldest
   * job known to have run that long): past it the estimate knows nothing
   * more.
   *
   * @returns Milliseconds; 0 before the first completion.
   */
  get horizon(): number {
    this.#accumulate();
    return this.#horizon;
  }

  /**
   * The estimated `p`-quantile of job durations, at most the
   * {@linkcode DurationHistogram.horizon} when so many jobs outlived every
   * completion.
   *
   * @example
   * ```ts
   * import { DurationHistogram } from "./duration_histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const histogram = new DurationHistogram(100);
   * histogram.observe({ after: 10_000, atMost: 10_000 });
   * assert.ok(Math.abs(histogram.quantile(0.5) - 10_000) < 200);
   * ```
   *
   * @param p A probability between 0 and 1; the caller checks it.
   * @returns Milliseconds, between 0 and {@linkcode LONGEST_DURATION}.
   */
  quantile(p: number): number {
    this.#accumulate();
    const below = this.#below;
    if (p >= below[BIN_COUNT]) return this.#horizon;
    let low = 0;
    let high = BIN_COUNT;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (below[middle + 1] < p) low = middle + 1;
      else high = middle;
    }
    const bin = Math.min(low, BIN_COUNT - 1);
    const mass = this.#smooth[bin];
    const fraction = mass > 0 ? (p - below[bin]) / mass : 0;
    return EDGES[bin] +
      Math.min(1, Math.max(0, fraction)) * (EDGES[bin + 1] - EDGES[bin]);
  }

  /**
   * What was learned, as copies; running waits are not part of it.
   *
   * @returns The state.
   */
  state(): HistogramState {
    return {
      observations: this.#observations,
      logSum: this.#logSum,
      logSquareSum: this.#logSquareSum,
      completed: this.#completed.slice(),
      unfinished: this.#unfinished.slice(),
    };
  }

  /**
   * Adds what another histogram learned (its recency weights as they are),
   * as if this one had seen it too.
   *
   * @param state A valid state (the caller validates it).
   */
  merge(state: HistogramState): void {
    for (let i = 0; i < BIN_COUNT; i++) {
      this.#completed[i] += state.completed[i];
      this.#weight += state.completed[i];
      this.#unfinished[i] += state.unfinished[i];
    }
    this.#logSum += state.logSum;
    this.#logSquareSum += state.logSquareSum;
    this.#observations += state.observations;
    this.#current = false;
  }

  // Brings #smooth, #below and #horizon up to date: the Kaplan–Meier
  // estimate bin by bin, smoothed by a Gaussian kernel in log time.
  #accumulate(): void {
    if (this.#current) return;
    const completed = this.#completed;
    const density = kaplanMeier(completed, this.#unfinished, this.#running);
    atRisk(this.#atRisk, completed, this.#unfinished, this.#running);
    const smooth = this.#smooth.fill(0);
    let last = -1;
    for (let i = 0; i < BIN_COUNT; i++) {
      if (density[i] === 0) continue;
      last = i;
      const from = Math.max(0, i - REACH);
      const to = Math.min(BIN_COUNT - 1, i + REACH);
      let total = 0;
      for (let j = from; j <= to; j++) total += KERNEL[Math.abs(j - i)];
      for (let j = from; j <= to; j++) {
        smooth[j] += density[i] * KERNEL[Math.abs(j - i)] / total;
      }
    }
    const below = this.#below;
    for (let i = 0; i < BIN_COUNT; i++) below[i + 1] = below[i] + smooth[i];
    // The evidence reaches as far as a job is known to have run, too: the
    // waits running tell that no job ended younger, before any completion.
    let reached = BIN_COUNT - 1;
    while (reached >= 0 && !(this.#atRisk[reached] >= 1)) reached--;
    this.#horizon = Math.max(
      last < 0 ? 0 : EDGES[Math.min(BIN_COUNT, last + 1 + REACH)],
      EDGES[reached + 1],
    );
    this.#current = true;
  }
}
