// Issue 13's targets for the learned schedule, in virtual time on every
// named workload: aimed with `targetLatency` at the seed backoff's p95 on
// the same jobs, its realised p95 must land within 15 % of that target with
// at most 0.85× the seed's requests, and the requests must come to at most
// 0.65× as the geometric mean over the workloads that are not a batch.

import { type JudgedRun, met } from "./_bench_targets.ts";
import { unscaledSummary } from "./_bench_report.ts";
import type { PollSchedule } from "../timing/schedule.ts";
import { simulatePolling } from "./_simulate.ts";
import { summarize } from "./_stats.ts";
import { seedBackoff } from "./_strategies.ts";
import { type NamedWorkload, workloadJobs, WORKLOADS } from "./_workload.ts";

/** How far the realised p95 may land from the target, as a fraction. */
export const P95_TOLERANCE = 0.15;
/** The most requests per job, as a fraction of the seed backoff's, on each workload. */
export const MAX_REQUEST_RATIO = 0.85;
/** The most requests per job as the geometric mean over the non-batch workloads. */
export const MAX_MEAN_REQUEST_RATIO = 0.65;

/** A learning schedule aimed at a p95 detection latency in ms. */
export type LearnedFactory = (targetLatency: number) => PollSchedule;

/** The figures of one workload. */
export interface WorkloadTarget {
  /** The workload's name. */
  workload: string;
  /** Whether it is a batch started together (not in the geometric mean). */
  batch: boolean;
  /** Number of measured jobs. */
  jobs: number;
  /** The seed backoff's p95 latency in ms: the learned schedule's target. */
  targetMs: number;
  /** The learned schedule's realised p95 latency in ms. */
  learnedP95Ms: number;
  /** The seed backoff's mean requests per job. */
  seedRequests: number;
  /** The learned schedule's mean requests per job. */
  learnedRequests: number;
}

/**
 * Runs the seed backoff and then a learned schedule aimed at its p95 on one
 * workload, in virtual time. The learned schedule starts cold, or for a
 * warm workload after learning from its warm-up jobs.
 */
export function workloadTarget(
  named: NamedWorkload,
  count: number,
  seed: number,
  learned: LearnedFactory,
): WorkloadTarget {
  const { warmUp, jobs } = workloadJobs(named, count, seed);
  const base = simulatePolling(seedBackoff(), jobs);
  const baseSummary = summarize(base.requests, base.latencies);
  const schedule = learned(baseSummary.latencyP95Ms);
  if (warmUp.length > 0) simulatePolling(schedule, warmUp);
  const run = simulatePolling(schedule, jobs);
  const runSummary = summarize(run.requests, run.latencies);
  return {
    workload: named.name,
    batch: named.meanInterarrival === 0,
    jobs: jobs.length,
    targetMs: baseSummary.latencyP95Ms,
    learnedP95Ms: runSummary.latencyP95Ms,
    seedRequests: baseSummary.requestsPerJob,
    learnedRequests: runSummary.requestsPerJob,
  };
}

/** Every named workload's figures, at its full or `--quick` size. */
export function learnedTargets(
  learned: LearnedFactory,
  options: { quick: boolean; seed: number },
): WorkloadTarget[] {
  return WORKLOADS.map((named) =>
    workloadTarget(
      named,
      named.count[options.quick ? "quick" : "full"],
      options.seed,
      learned,
    )
  );
}

/** The realised p95 against the target, as a signed fraction. */
export function p95Error(target: WorkloadTarget): number {
  return target.learnedP95Ms / target.targetMs - 1;
}

/** The learned schedule's requests as a fraction of the seed's. */
export function requestRatio(target: WorkloadTarget): number {
  return target.learnedRequests / target.seedRequests;
}

/** Whether one workload's cell holds: p95 within tolerance, requests under the bound. */
export function cellHolds(target: WorkloadTarget): boolean {
  return Math.abs(target.learnedP95Ms - target.targetMs) <=
      P95_TOLERANCE * target.targetMs &&
    requestRatio(target) <= MAX_REQUEST_RATIO;
}

/** The geometric mean of the request ratios over the non-batch workloads. */
export function meanRequestRatio(targets: readonly WorkloadTarget[]): number {
  const ratios = targets.filter((target) => !target.batch).map(requestRatio);
  return Math.exp(
    ratios.reduce((sum, ratio) => sum + Math.log(ratio), 0) / ratios.length,
  );
}

/** The report's lines: one row per workload, the mean, and whether all hold. */
export function learnedTargetLines(
  targets: readonly WorkloadTarget[],
  quick: boolean,
): string[] {
  const mean = meanRequestRatio(targets);
  const meanHolds = mean <= MAX_MEAN_REQUEST_RATIO;
  const all = meanHolds && targets.every(cellHolds);
  return [
    `Issue 13's targets, in virtual time (requests take no time), ${
      quick ? "--quick sizes" : "full sizes"
    }, cold start but for the warmed batch: the learned schedule with \`targetLatency\` = the seed backoff's p95 on the same jobs must realise that p95 within ${
      P95_TOLERANCE * 100
    } % with at most ${MAX_REQUEST_RATIO}× the seed's requests on each workload, and at most ${MAX_MEAN_REQUEST_RATIO}× as the geometric mean over the non-batch ones.`,
    "",
    "| Workload | Jobs | Target (seed p95) | Learned p95 | Off target | Seed requests/job | Learned requests/job | Ratio | Cell |",
    "| --- | --: | --: | --: | --: | --: | --: | --: | --- |",
    ...targets.map((target) =>
      `| \`${target.workload}\` | ${target.jobs} | ${
        (target.targetMs / 1000).toFixed(2)
      } s | ${(target.learnedP95Ms / 1000).toFixed(2)} s | ${
        percent(p95Error(target))
      } | ${target.seedRequests.toFixed(2)} | ${
        target.learnedRequests.toFixed(2)
      } | ${requestRatio(target).toFixed(2)}× | ${met(cellHolds(target))} |`
    ),
    "",
    `- Geometric mean of the ratio over the ${
      targets.filter((target) => !target.batch).length
    } non-batch workloads: ${
      mean.toFixed(2)
    }× (target ≤ ${MAX_MEAN_REQUEST_RATIO}): ${met(meanHolds)}`,
    `- Issue 13's targets: ${all ? "all met" : "**not all met**"}`,
  ];
}

/**
 * The same cell checked on a real run against the simulator: `learned-target`
 * (aimed at `aim`, the seed backoff's p95 on the run's jobs in virtual time)
 * against `seed-backoff` in the same run. None if either did not run.
 */
export function runTargetLines(
  runs: readonly JudgedRun[],
  aim: number,
  timeScale: number,
): string[] {
  const figures = (id: string) => {
    const run = runs.find((candidate) => candidate.strategy.id === id);
    return run && unscaledSummary(run, timeScale);
  };
  const seed = figures("seed-backoff");
  const learned = figures("learned-target");
  if (seed === undefined || learned === undefined) return [];
  const cell: WorkloadTarget = {
    workload: "",
    batch: false,
    jobs: 0,
    targetMs: aim,
    learnedP95Ms: learned.latencyP95Ms,
    seedRequests: seed.requestsPerJob,
    learnedRequests: learned.requestsPerJob,
  };
  return [
    `- \`learned-target\` in this run, aimed at ${
      (aim / 1000).toFixed(2)
    } s: p95 ${(learned.latencyP95Ms / 1000).toFixed(2)} s (${
      percent(p95Error(cell))
    }, within ${P95_TOLERANCE * 100} %) with ${
      requestRatio(cell).toFixed(2)
    }× the requests of \`seed-backoff\` (≤ ${MAX_REQUEST_RATIO}): ${
      met(cellHolds(cell))
    }`,
  ];
}

// A signed percentage with one decimal.
function percent(value: number): string {
  return `${value >= 0 ? "+" : ""}${(value * 100).toFixed(1)} %`;
}
