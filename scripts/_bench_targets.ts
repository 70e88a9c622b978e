// The targets and how a run's figures compare with them: for each
// push or webhook strategy a bound on every job's requests and a p99 latency
// of at most 5 ms; for the learned schedule, its p95 and requests against
// the seed backoff's, on the run and on every named workload in virtual
// time.

import type { UpdateSource } from "../mod.ts";
import {
  latency,
  ms,
  percentile,
  summarize,
  summarizeUnscaled,
  type Summary,
} from "./_stats.ts";
import { simulatePolling } from "./_simulate.ts";
import { workloadJobs, WORKLOADS } from "./_workload.ts";
import { seededRandom } from "../util/random.ts";
import {
  type BenchStrategy,
  learnedAt,
  longPollSeconds,
  seedBackoff,
  webhookSafetyDelay,
} from "./_strategies.ts";

/**
 * The learned schedule's targets on every named workload, as the scripts'
 * help words them.
 */
export const LEARNED_TARGETS_HELP: string = `with targetLatency set to
the seed backoff's p95 there, realised p95 within 15 % of it and at most
0.85x the seed's requests on each, at most 0.65x as the geometric mean over
the seven that are not the batch.`;

/** The p99 detection latency a push or webhook strategy must keep, in ms. */
export const PUSH_P99_TARGET_MS = 5;

/** One strategy's run, per job in the workload's order. */
export interface JudgedRun {
  /** The strategy. */
  strategy: BenchStrategy;
  /** Its figures. */
  summary: Summary;
  /** Status requests per job. */
  requests: readonly number[];
  /** Detection latency per job, in ms. */
  latencies: readonly number[];
  /** How each job's final result reached the client. */
  sources: readonly UpdateSource[];
}

/**
 * The most status requests a job of `duration` ms may take: for long-poll
 * and SSE, one plus one per held request the job outlasts; with webhooks,
 * the first request, the safety polls sent during the job, and the one that
 * finds it ended when its webhook was lost. Polling strategies have none.
 */
export function requestBound(
  strategy: BenchStrategy,
  duration: number,
  timeScale: number,
): number | undefined {
  if (strategy.server !== "full") return undefined;
  if (strategy.webhookDropRate !== undefined) {
    return 2 + Math.floor(duration / webhookSafetyDelay(timeScale));
  }
  return 1 + Math.ceil(duration / (longPollSeconds(timeScale) * 1000));
}

/**
 * The latencies of the jobs a webhook told, with their p99; for a strategy
 * without webhooks, `undefined`.
 */
export function webhookLatency(
  run: JudgedRun,
): { jobs: number; latencyP99Ms: number } | undefined {
  if (run.strategy.webhookDropRate === undefined) return undefined;
  const told = run.latencies.filter((_, job) => run.sources[job] === "webhook");
  return { jobs: told.length, latencyP99Ms: percentile(told, 99) };
}

/**
 * The p99 latency the target checks: over every job, but with webhooks
 * dropped over the jobs a webhook told, since the others wait for a safety
 * poll by design.
 */
export function checkedP99(run: JudgedRun): number {
  const told = webhookLatency(run);
  return told !== undefined && run.strategy.webhookDropRate! > 0
    ? told.latencyP99Ms
    : run.summary.latencyP99Ms;
}

/** The "Targets:" lines of the report. */
export function targetLines(
  runs: readonly JudgedRun[],
  durations: readonly number[],
  timeScale: number,
): string[] {
  const lines = ["Targets:"];
  for (const run of runs) {
    const { strategy } = run;
    if (strategy.server !== "full") continue;
    const within = run.requests.every((requests, job) =>
      requests <= requestBound(strategy, durations[job], timeScale)!
    );
    const p99 = checkedP99(run);
    const bound = strategy.webhookDropRate === undefined
      ? `1 + ceil(duration / ${longPollSeconds(timeScale)} s)`
      : `2 + floor(duration / ${
        webhookSafetyDelay(timeScale) / 1000
      } s) (the first, the safety polls, one more after a lost webhook)`;
    lines.push(
      `- \`${strategy.id}\`: every job within ${bound} requests: ${
        met(within)
      }; p99 latency ${ms(p99)}${
        told(run)
      } (target ≤ ${PUSH_P99_TARGET_MS} ms): ${met(p99 <= PUSH_P99_TARGET_MS)}`,
    );
  }
  return lines;
}

// Which jobs the p99 of a webhook strategy covers.
function told(run: JudgedRun): string {
  const webhook = webhookLatency(run);
  if (webhook === undefined) return "";
  const all = run.latencies.length;
  return run.strategy.webhookDropRate! > 0
    ? ` over the ${webhook.jobs} of ${all} jobs a webhook told (checked; over all jobs ${
      ms(run.summary.latencyP99Ms)
    }, the others waiting for a safety poll)`
    : ` (${webhook.jobs} of ${all} jobs told by webhook)`;
}

/** "met", or "missed" in bold. */
export function met(ok: boolean): string {
  return ok ? "met" : "**missed**";
}

/**
 * Whether a learned schedule meets one workload's targets: its p95 latency
 * within 15 % of the target either way, and at most 0.85× the requests of
 * the seed backoff.
 */
export function learnedCellMet(
  p95Ms: number,
  targetMs: number,
  requestRatio: number,
): boolean {
  return Math.abs(p95Ms - targetMs) <= 0.15 * targetMs && requestRatio <= 0.85;
}

/**
 * The same targets checked on a real run against the simulator:
 * `learned-target`, aimed at `aim` (the seed backoff's p95 on the run's jobs
 * in virtual time), against `seed-backoff` in the same run, latencies
 * unscaled. Its p95 is compared with the seed's p95 in the run, not with
 * `aim`, since a busy machine makes both late alike (timer lag is
 * multiplied by 1 / time scale). None if either did not run.
 */
export function runTargetLines(
  runs: readonly JudgedRun[],
  aim: number,
  timeScale: number,
): string[] {
  const figures = (id: string) => {
    const run = runs.find((candidate) => candidate.strategy.id === id);
    return run && summarizeUnscaled(run.requests, run.latencies, timeScale);
  };
  const seed = figures("seed-backoff");
  const learned = figures("learned-target");
  if (seed === undefined || learned === undefined) return [];
  const p95 = learned.latencyP95Ms;
  const reference = seed.latencyP95Ms;
  const ratio = learned.requestsPerJob / seed.requestsPerJob;
  const off = (p95 / reference - 1) * 100;
  return [
    `- \`learned-target\` in this run (aimed at ${
      latency(aim)
    }, the seed backoff's p95 in virtual time): p95 ${
      latency(p95)
    } against \`seed-backoff\`'s ${latency(reference)} in the same run (${
      off >= 0 ? "+" : ""
    }${off.toFixed(1)} %, within 15 %) with ${
      ratio.toFixed(2)
    }× its requests (≤ 0.85): ${met(learnedCellMet(p95, reference, ratio))}`,
  ];
}

/** One workload's row of the learned schedule's targets in virtual time. */
export interface LearnedTargetRow {
  /** The workload's name. */
  workload: string;
  /** The seed backoff's p95 latency, which is the target, in ms. */
  targetMs: number;
  /** The learned schedule's p95 latency, in ms. */
  p95Ms: number;
  /** Its requests per job over the seed backoff's. */
  requestRatio: number;
  /** p95 within 15 % of the target and at most 0.85× the requests. */
  met: boolean;
}

/**
 * The targets for `LearnedSchedule` in virtual time: on each named
 * workload, with `targetLatency` set to the seed backoff's p95 there, the
 * realised p95 within 15 % of it and at most 0.85× the seed's requests; the
 * geometric mean of the request ratios over the cold-start workloads at most
 * 0.65×.
 */
export function learnedTargets(
  size: "full" | "quick",
  seed = 1,
): { rows: LearnedTargetRow[]; geometricMean: number; met: boolean } {
  const rows = WORKLOADS.map((named): LearnedTargetRow => {
    const { warmUp, jobs } = workloadJobs(named, named.count[size], seed);
    const backoff = simulatePolling(seedBackoff(), jobs);
    const reference = summarize(backoff.requests, backoff.latencies);
    const targetMs = reference.latencyP95Ms;
    // Its fallback jitters from the seed, so that every figure reproduces.
    const learned = learnedAt(targetMs, 1, seededRandom(seed));
    simulatePolling(learned, warmUp);
    const run = simulatePolling(learned, jobs);
    const summary = summarize(run.requests, run.latencies);
    const requestRatio = summary.requestsPerJob / reference.requestsPerJob;
    const p95Ms = summary.latencyP95Ms;
    return {
      workload: named.name,
      targetMs,
      p95Ms,
      requestRatio,
      met: learnedCellMet(p95Ms, targetMs, requestRatio),
    };
  });
  const cold = rows.filter((_, i) => !WORKLOADS[i].warm);
  const geometricMean = Math.exp(
    cold.reduce((sum, row) => sum + Math.log(row.requestRatio), 0) /
      cold.length,
  );
  return {
    rows,
    geometricMean,
    met: rows.every((row) => row.met) && geometricMean <= 0.65,
  };
}

/** The table of {@linkcode learnedTargets}, in Markdown. */
export function learnedTargetLines(
  size: "full" | "quick",
  seed = 1,
): string[] {
  const { rows, geometricMean, met: all } = learnedTargets(size, seed);
  return [
    `LearnedSchedule in virtual time (${size} size, seed ${seed}), targetLatency = the seed backoff's p95:`,
    "",
    "| workload | target (seed p95) | learned p95 | p95 / target | requests vs seed | |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    ...rows.map((row) =>
      `| ${row.workload} | ${(row.targetMs / 1000).toFixed(2)} s | ${
        (row.p95Ms / 1000).toFixed(2)
      } s | ${(row.p95Ms / row.targetMs).toFixed(2)} | ${
        row.requestRatio.toFixed(2)
      }× | ${met(row.met)} |`
    ),
    "",
    `Geometric mean of the request ratios over the ${
      WORKLOADS.filter((named) => !named.warm).length
    } cold-start workloads: ${geometricMean.toFixed(2)}× (target ≤ 0.65): ${
      met(geometricMean <= 0.65)
    }; all targets: ${met(all)}`,
  ];
}
