/**
 * The bins of the duration histogram behind `LearnedSchedule`, and how one
 * interval-censored completion is spread over them.
 *
 * @module
 */

// Durations are kept in a histogram with 16 logarithmic bins per octave from
// 1 ms to about 25 days (bin 0 holds [0, 1 ms)): 4 KiB an array whatever the
// number of observations, and 4.4 % resolution at any time scale.
/** Logarithmic bins per doubling of the duration. */
export const BINS_PER_OCTAVE = 16;
/** Number of bins. */
export const BIN_COUNT = 512;
/** The bins' edges in ms: bin `i` holds `[EDGES[i], EDGES[i + 1])`. */
export const EDGES: Float64Array = Float64Array.from(
  { length: BIN_COUNT + 1 },
  (_, i) => i === 0 ? 0 : 2 ** ((i - 1) / BINS_PER_OCTAVE),
);

/** The longest duration the histogram tells apart, in ms (about 25 days). */
export const LONGEST_DURATION: number = EDGES[BIN_COUNT];

// Bounds that keep the shape model finite: log-durations below 1 µs count as
// 1 µs, and its spread is never narrower than one bin.
const MIN_LOG_TIME = 1e-3;
const MIN_LOG_SPREAD = Math.LN2 / BINS_PER_OCTAVE;

/** The recency-weighted lognormal fitted to the completions so far. */
export interface ShapeModel {
  /** The weight of the completions. */
  weight: number;
  /** Their weighted sum of log-durations. */
  logSum: number;
  /** Their weighted sum of squared log-durations. */
  logSquareSum: number;
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
 * The E-step for an interval that spans bins: each bin's share of the unit
 * of weight is the shape model's probability there (without a model, or
 * before there is one, a density in proportion to the square root of the
 * time), with the
 * bin's mean log-duration.
 */
export function intervalShares(
  low: number,
  high: number,
  first: number,
  last: number,
  model: ShapeModel | undefined,
): { share: Float64Array; logs: Float64Array } {
  const share = new Float64Array(last - first + 1);
  const logs = new Float64Array(last - first + 1);
  const { weight = 0, logSum = 0, logSquareSum = 0 } = model ?? {};
  const modelled = weight > 0;
  const mean = logSum / weight;
  const spread = Math.max(
    MIN_LOG_SPREAD ** 2,
    logSquareSum / weight - mean ** 2,
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
    // Without a model, a density in proportion to the square root of the
    // time since the job started: none ends the moment it starts, and a
    // plan's gaps lie where completions are still rare and growing. (In
    // proportion to the time itself, the first gap's early part came out
    // too light: 7 % of the jobs of median 10 s, σ 1, detected late at
    // --quick size where 4.5 % were planned.)
    const density = modelled
      ? Math.exp(-((logs[i - first] - mean) ** 2 - nearest) / (2 * spread))
      : (EDGES[i + 1] - EDGES[i]) *
        Math.sqrt(Math.max(low, EDGES[i]) + inside / 2);
    share[i - first] = density * inside / (EDGES[i + 1] - EDGES[i]);
    total += share[i - first];
  }
  for (let i = first; i <= last; i++) share[i - first] /= total;
  return { share, logs };
}

// An exact observation, or an interval within one bin: all of the weight in
// the last bin, at the interval's middle.
export function pointShares(
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

export function overlap(bin: number, low: number, high: number): number {
  return Math.max(
    0,
    Math.min(high, EDGES[bin + 1]) - Math.max(low, EDGES[bin]),
  );
}
