/**
 * The learned distribution of job durations behind `LearnedSchedule`: a
 * fixed-size, recency-weighted histogram that learns from interval-censored
 * observations.
 *
 * @module
 */

import type { CompletionObservation } from "./schedule.ts";

// Durations are kept in a histogram with 16 logarithmic bins per octave from
// 1 ms to about 25 days (bin 0 holds [0, 1 ms)): 4 KiB whatever the number of
// observations, and 4.4 % resolution at any time scale.
const BINS_PER_OCTAVE = 16;
const BIN_COUNT = 512;
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
// The estimate is the histogram smoothed by a Gaussian kernel whose standard
// deviation is KERNEL_WIDTH bins, cut off at three of them.
const KERNEL_WIDTH = 3;
const KERNEL = Float64Array.from(
  { length: Math.ceil(3 * KERNEL_WIDTH) + 1 },
  (_, i) => Math.exp(-0.5 * (i / KERNEL_WIDTH) ** 2),
);

/**
 * A recency-weighted estimate of the distribution of job durations, learned
 * online from where each completion lay.
 *
 * Every observation says that a completion lay in `(after, atMost]` (or at
 * `atMost` exactly when both are equal). Its unit of weight is spread over
 * that interval in proportion to a lognormal fitted to what has been learned
 * so far (the E-step of an online EM for interval-censored data), while the
 * histogram that receives it keeps whatever shape the durations really have.
 * An observation with `after` 0 (a first answer that was already final) is
 * the interval `(0, atMost]` like any other: it only says the job took at
 * most `atMost`, and where the model already puts nearly all durations below
 * `atMost` it changes next to nothing. Older observations decay by half
 * every `halfLife` observations; memory stays fixed at 512 bins.
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
  #mass = new Float64Array(BIN_COUNT);
  // The recency-weighted number of observations: the histogram's total mass.
  #weight = 0;
  // The shape model: recency-weighted sums of the log-duration and its
  // square, whose lognormal shapes how a censored observation is spread.
  #logSum = 0;
  #logSquareSum = 0;
  // The histogram smoothed, and the cumulative mass below each bin edge;
  // both rebuilt lazily.
  #smooth = new Float64Array(BIN_COUNT);
  #below = new Float64Array(BIN_COUNT + 1);
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
   * @param halfLife Observations after which an observation counts half as
   * much; the caller checks that it is at least 1.
   */
  constructor(halfLife: number) {
    this.#decay = 2 ** (-1 / halfLife);
  }

  /**
   * How many observations were learned from, not weighted by recency.
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
   * @returns The number of observations.
   */
  get observations(): number {
    return this.#observations;
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
   */
  observe(observation: CompletionObservation): void {
    const low = Math.min(observation.after, LONGEST_DURATION);
    const high = Math.min(observation.atMost, LONGEST_DURATION);
    const first = binOf(low);
    const last = binOf(high);
    const { share, logs } = high === low || first === last
      ? pointShares(low, high, last - first + 1)
      : this.#intervalShares(low, high, first, last);
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
    this.#logSum = this.#logSum * decay + logSum;
    this.#logSquareSum = this.#logSquareSum * decay + logSquareSum;
    this.#observations++;
    this.#current = false;
  }

  /**
   * The estimated probability that a job takes at most `time` ms.
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
   * @returns A probability; NaN before the first observation.
   */
  cdf(time: number): number {
    if (time >= LONGEST_DURATION) return 1;
    this.#accumulate();
    const bin = binOf(time);
    const width = EDGES[bin + 1] - EDGES[bin];
    const fraction = Math.min(1, Math.max(0, (time - EDGES[bin]) / width));
    const within = this.#smooth[bin] * fraction;
    // Rounding in the sums may overshoot 1 by an ulp.
    return Math.min(1, (this.#below[bin] + within) / this.#weight);
  }

  /**
   * The estimated `p`-quantile of job durations.
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
