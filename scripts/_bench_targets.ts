// The push targets and how a run's figures compare with them: for each push
// or webhook strategy a bound on every job's requests and a p99 latency of
// at most 5 ms. (The learned schedule's are in _learned_targets.ts.)

import type { UpdateSource } from "../client.ts";
import { percentile, type Summary } from "./_stats.ts";
import {
  type BenchStrategy,
  longPollSeconds,
  webhookSafetyDelay,
} from "./_strategies.ts";

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

/** A latency for the report: two decimals under 10 ms, one above. */
export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}
