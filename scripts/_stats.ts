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

/** Milliseconds as the benchmark tables show them: two decimals under 10 ms, one above. */
export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

/**
 * A latency for the benchmark tables: in milliseconds under a second (see
 * {@linkcode ms}), else in seconds, two decimals under 10 s, one above.
 */
export function latency(value: number): string {
  if (value < 1000) return ms(value);
  const seconds = value / 1000;
  return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
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
