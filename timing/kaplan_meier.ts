/**
 * The Kaplan–Meier (product-limit) estimate on histogram bins, from
 * recency-weighted completions and right-censored waits.
 *
 * @module
 */

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
  const risk = atRisk(new Float64Array(bins), completed, ...censored);
  const density = new Float64Array(bins);
  let surviving = 1;
  for (let i = 0; i < bins; i++) {
    if (completed[i] <= 0 || risk[i] <= 0) continue;
    density[i] = surviving * Math.min(1, completed[i] / risk[i]);
    surviving -= density[i];
  }
  return density;
}

/**
 * The weight at risk in each bin: the jobs that ended in it or later, and
 * those censored later (half of those censored in it), written into `into`.
 *
 * @param into Where to write, as long as `completed`.
 * @param completed Completions by bin.
 * @param censored Arrays of censored weights by bin, added together.
 * @returns `into`.
 */
export function atRisk(
  into: Float64Array,
  completed: Float64Array,
  ...censored: Float64Array[]
): Float64Array {
  let later = 0;
  for (let i = completed.length - 1; i >= 0; i--) {
    let lost = 0;
    for (const array of censored) lost += array[i];
    into[i] = later + completed[i] + lost / 2;
    later += completed[i] + lost;
  }
  return into;
}
