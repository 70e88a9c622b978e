// The benchmark's report: the table and the JSON document, with latencies
// unscaled, in the workload's real time, whatever the time scale the run
// was sped up by.

import type { DialectName } from "../protocol/dialects/mod.ts";
import { type JudgedRun, webhookLatency } from "./_bench_targets.ts";
import { latency, summarize, type Summary } from "./_stats.ts";
import type { NamedWorkload } from "./_workload.ts";

/** The JSON document `--json` writes. */
export interface BenchReport {
  /** The workload's name, as `--workload` takes it. */
  workload: string;
  /** Number of jobs of the run. */
  jobs: number;
  /** Seed of the workload and of all jitter. */
  seed: number;
  /**
   * Factor the run applied to every duration and delay. Latencies are
   * in the workload's time: one a poll found is the measured ms divided by
   * it, one a push brought is as measured (see `unscaledSummary()`).
   */
  timeScale: number;
  /** The dialect of the polling phase (the push phase speaks video-status). */
  dialect: DialectName;
  /** One entry per strategy, its latencies in the workload's ms. */
  strategies: ({
    id: string;
    /**
     * For a webhook strategy: the jobs a webhook told, and their p99 latency
     * in measured (scaled) ms, as its target checks it.
     */
    webhook?: { jobs: number; latencyP99Ms: number };
  } & Summary)[];
}

/**
 * A run's figures in the workload's real time: a latency a poll found is
 * divided by the time scale (the poll's delays were scaled), one a push
 * brought (a held long-poll, an event stream, a socket, a webhook) is the
 * transport's own time, which the scale does not shrink, and stays as
 * measured.
 */
export function unscaledSummary(run: JudgedRun, timeScale: number): Summary {
  return summarize(
    run.requests,
    run.latencies.map((value, i) =>
      run.sources[i] === "poll" ? value / timeScale : value
    ),
  );
}

/** What the report's heading says of the run. */
export interface RunDescription {
  /** The workload. */
  named: NamedWorkload;
  /** Number of jobs. */
  count: number;
  /** The time scale of the run. */
  timeScale: number;
  /** The dialect of the polling phase. */
  dialect: DialectName;
}

/** The report's heading and table, latencies in the workload's time. */
export function tableLines(
  runs: readonly JudgedRun[],
  run: RunDescription,
): string[] {
  const { named, count, timeScale, dialect } = run;
  const legacyServer = dialect === "video-status"
    ? "`--legacy`"
    : `\`--legacy --dialect ${dialect}\``;
  const arrivals = named.meanInterarrival === 0
    ? "all started together"
    : `arriving every ${named.meanInterarrival / 1000} s on average (Poisson)`;
  const warm = named.warm
    ? "; learning schedules warmed first on as many jobs (virtual time)"
    : "";
  return [
    `${count} jobs (\`--workload ${named.name}\`) with ${named.text}, ${arrivals}${warm}. Run at time scale ${timeScale} (a 10 s job took ${
      10_000 * timeScale
    } ms); latencies in the workload's time, from the job turning terminal on the server to the client knowing: one a poll found unscaled (divided by the scale), one a push brought as measured (the transport's time does not shrink with the scale).`,
    "",
    "| Strategy | Server | Requests/job | p50 latency | p95 latency | p99 latency |",
    "| --- | --- | --: | --: | --: | --: |",
    ...runs.map((judged) => {
      const { strategy } = judged;
      const summary = unscaledSummary(judged, timeScale);
      const server = strategy.server === "legacy"
        ? legacyServer
        : strategy.webhookDropRate
        ? `full \`--webhook-drop-rate ${strategy.webhookDropRate}\``
        : "full";
      return `| \`${strategy.id}\`: ${strategy.label} | ${server} | ${
        summary.requestsPerJob.toFixed(2)
      } | ${latency(summary.latencyP50Ms)} | ${
        latency(summary.latencyP95Ms)
      } | ${latency(summary.latencyP99Ms)} |`;
    }),
  ];
}

/** The JSON document of a run. */
export function benchReport(
  runs: readonly JudgedRun[],
  run: RunDescription & { seed: number },
): BenchReport {
  return {
    workload: run.named.name,
    jobs: run.count,
    seed: run.seed,
    timeScale: run.timeScale,
    dialect: run.dialect,
    strategies: runs.map((judged) => ({
      id: judged.strategy.id,
      ...unscaledSummary(judged, run.timeScale),
      webhook: webhookLatency(judged),
    })),
  };
}
