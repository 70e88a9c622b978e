/**
 * The learned distribution of job durations behind `LearnedSchedule`: a
 * fixed-size, recency-weighted histogram that learns from interval-censored
 * completions and right-censored waits, read as a Kaplan–Meier estimate.
 *
 * @module
 */

import type { CompletionObservation } from "./schedule.ts";

// Durations are kept in a histogram with 16 logarithmic bins per octave from
// 1 ms to about 25 days (bin 0 holds [0, 1 ms)): 4 KiB an array whatever the
// number of observations, and 4.4 % resolution at any time scale.
/** Logarithmic bins per doubling of the duration. */
export const BINS_PER_OCTAVE = 16;
/** Number of bins. */
export const BIN_COUNT = 512;
const EDGES = Float64Array.from(
  { length: BIN_COUNT + 1 },
  (_, i) => i === 0 ? 0 : 2 ** ((i - 1) / BINS_PER_OCTAVE),
);

/** The longest duration the histogram tells apart, in ms (about 25 days). */
export const LONGEST_DURATION: number = EDGES[BIN_COUNT];

// Bounds that keep the shape model finite: log-durations below 1 µs count as
// 1 µs, and its spread is never narrower than one bin.
const MIN_LOG_TIME = 1e-3;
const MIN_LOG_SPREAD = Math.LN2 / BINS_PER_OCTAVE;
// The estimate is smoothed by a Gaussian kernel whose standard deviation is
// KERNEL_WIDTH bins, cut off at three of them.
const KERNEL_WIDTH = 3;
const KERNEL = Float64Array.from(
  { length: Math.ceil(3 * KERNEL_WIDTH) + 1 },
  (_, i) => Math.exp(-0.5 * (i / KERNEL_WIDTH) ** 2),
);
const REACH = KERNEL.length - 1;

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

/** The bin that holds `time` ms. */
export function binOf(time: number): number {
  if (!(time >= 1)) return 0;
  return Math.min(
    BIN_COUNT - 1,
    1 + Math.floor(Math.log2(time) * BINS_PER_OCTAVE),
  );
}

/**
 * A recency-weighted estimate of the distribution of job durations.
 *
 * It learns three kinds of evidence. A completion lay in `(after, atMost]`
 * (or at `atMost` exactly when both are equal): its weight is spread over
 * that interval in proportion to a lognormal fitted to the completions so
 * far (the E-step of an online EM for interval-censored data), while the
 * histogram that receives it keeps whatever shape the durations really
 * have. A wait given up, and a wait still running, says that its job runs
 * longer than its age (right-censored). The estimate is the Kaplan–Meier
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
  #current = false;

  /**
   * Creates an empty histogram.
   *
   * @example
   * ```ts
   * import { DurationHistogram } from "./duration_histogram.ts";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new DurationHistogram(100).observations, 0);
   * ```
   *
   * @param halfLife Ticks after which evidence counts half as much; the
   * caller checks that it is at least 1.
   */
  constructor(halfLife: number) {
    this.#decay = 2 ** (-1 / halfLife);
  }

  /**
   * How many completions were learned from, not weighted by recency.
   *
   * @example
   * ```ts
   * import { DurationHistogram } from "./duration_histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const histogram = new DurationHistogram(1);
   * histogram.observe({ after: 0, atMost: 1000 });
   * histogram.observe({ after: 0, atMost: 1000 });
   * assert.equal(histogram.observations, 2);
   * ```
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
   */
  observe(observation: CompletionObservation, weight = 1): void {
    const low = Math.min(observation.after, LONGEST_DURATION);
    const high = Math.min(observation.atMost, LONGEST_DURATION);
    const first = binOf(low);
    const last = binOf(high);
    const { share, logs } = high === low || first === last
      ? pointShares(low, high, last - first + 1)
      : this.#intervalShares(low, high, first, last);
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
   * Where the evidence of completions ends, in ms: past it the estimate
   * knows nothing more.
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

  // The E-step for an interval that spans bins: each bin's share of the unit
  // of weight is the shape model's probability there (evenly in time before
  // there is a model), with the bin's mean log-duration.
  #intervalShares(
    low: number,
    high: number,
    first: number,
    last: number,
  ): { share: Float64Array; logs: Float64Array } {
    const share = new Float64Array(last - first + 1);
    const logs = new Float64Array(last - first + 1);
    const modelled = this.#weight > 0;
    const mean = this.#logSum / this.#weight;
    const spread = Math.max(
      MIN_LOG_SPREAD ** 2,
      this.#logSquareSum / this.#weight - mean ** 2,
    );
    // Densities are taken relative to the bin nearest the model's mean, so
    // that an interval far out in the model's tail does not underflow to 0.
    let nearest = Infinity;
    for (let i = first; i <= last; i++) {
      const inside = overlap(i, low, high);
      const lo = Math.max(low, EDGES[i]);
      logs[i - first] = Math.log(Math.max(MIN_LOG_TIME, lo + inside / 2));
      if (inside > 0 && modelled) {
        nearest = Math.min(nearest, (logs[i - first] - mean) ** 2);
      }
    }
    let total = 0;
    for (let i = first; i <= last; i++) {
      const inside = overlap(i, low, high);
      const density = modelled
        ? Math.exp(-((logs[i - first] - mean) ** 2 - nearest) / (2 * spread))
        : EDGES[i + 1] - EDGES[i];
      share[i - first] = density * inside / (EDGES[i + 1] - EDGES[i]);
      total += share[i - first];
    }
    for (let i = first; i <= last; i++) share[i - first] /= total;
    return { share, logs };
  }

  // Brings #smooth, #below and #horizon up to date: the Kaplan–Meier
  // estimate bin by bin, smoothed by a Gaussian kernel in log time.
  #accumulate(): void {
    if (this.#current) return;
    const completed = this.#completed;
    const density = kaplanMeier(completed, this.#unfinished, this.#running);
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
    this.#horizon = last < 0 ? 0 : EDGES[Math.min(BIN_COUNT, last + 1 + REACH)];
    this.#current = true;
  }
}

/**
 * The Kaplan–Meier estimate on the bins: the probability that a job ends in
 * each bin, from recency-weighted completions and waits known to have run
 * longer (censored). A job censored within a bin counts as at risk for half
 * of it. Where the last evidence is censored, the probabilities sum to less
 * than 1: the rest lies beyond what was seen.
 *
 * @param completed Completions by bin.
 * @param censored Arrays of censored weights by bin, added together.
 * @returns The probability of ending in each bin.
 */
export function kaplanMeier(
  completed: Float64Array,
  ...censored: Float64Array[]
): Float64Array {
  const bins = completed.length;
  const atRisk = new Float64Array(bins);
  let later = 0;
  for (let i = bins - 1; i >= 0; i--) {
    let lost = 0;
    for (const array of censored) lost += array[i];
    atRisk[i] = later + completed[i] + lost / 2;
    later += completed[i] + lost;
  }
  const density = new Float64Array(bins);
  let surviving = 1;
  for (let i = 0; i < bins; i++) {
    if (completed[i] <= 0 || atRisk[i] <= 0) continue;
    density[i] = surviving * Math.min(1, completed[i] / atRisk[i]);
    surviving -= density[i];
  }
  return density;
}

// An exact observation, or an interval within one bin: all of the weight in
// the last bin, at the interval's middle.
function pointShares(
  low: number,
  high: number,
  length: number,
): { share: Float64Array; logs: Float64Array } {
  const share = new Float64Array(length);
  const logs = new Float64Array(length);
  share[length - 1] = 1;
  logs[length - 1] = Math.log(Math.max(MIN_LOG_TIME, (low + high) / 2));
  return { share, logs };
}

function overlap(bin: number, low: number, high: number): number {
  return Math.max(
    0,
    Math.min(high, EDGES[bin + 1]) - Math.max(low, EDGES[bin]),
  );
}
