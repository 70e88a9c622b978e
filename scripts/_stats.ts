// The figures every strategy is judged by: requests per job and detection
// latency percentiles.

/** One strategy's figures, in the benchmark's JSON shape. */
export interface Summary {
  /** Mean number of status requests per job. */
  requestsPerJob: number;
  /** Median detection latency in milliseconds. */
  latencyP50Ms: number;
  /** 95th percentile of the detection latency in milliseconds. */
  latencyP95Ms: number;
  /** 99th percentile of the detection latency in milliseconds. */
  latencyP99Ms: number;
}

/** The nearest-rank `p`-th percentile (0 < p ≤ 100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = values.toSorted((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Summarises per-job request counts and detection latencies. */
export function summarize(
  requests: readonly number[],
  latencies: readonly number[],
): Summary {
  const total = requests.reduce((sum, count) => sum + count, 0);
  return {
    requestsPerJob: requests.length === 0 ? NaN : total / requests.length,
    latencyP50Ms: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
    latencyP99Ms: percentile(latencies, 99),
  };
}

/**
 * Summarises a run made at `timeScale` with its latencies unscaled (divided
 * by it), in the workload's real milliseconds.
 */
export function summarizeUnscaled(
  requests: readonly number[],
  latencies: readonly number[],
  timeScale: number,
): Summary {
  return summarize(requests, latencies.map((latency) => latency / timeScale));
}

/** Milliseconds as the benchmark tables show them. */
export function milliseconds(value: number): string {
  return `${value.toFixed(2)} ms`;
}

/**
 * Milliseconds as seconds for the benchmark tables: three decimals under
 * 0.1 s, two under 10 s, one above.
 */
export function seconds(ms: number): string {
  const value = ms / 1000;
  const digits = value < 0.1 ? 3 : value < 10 ? 2 : 1;
  return `${value.toFixed(digits)} s`;
}

/** Bytes as whole mebibytes. */
export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/** The most of `times` (ms) in any window of one second. */
export function busiestSecond(times: readonly number[]): number {
  const sorted = times.toSorted((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= 1000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
