// The lower bound that a learned schedule is measured against: the poll plan
// of the same planner given the true distribution of durations instead of
// an estimate, as if every job's duration model were known in advance.

import { seededRandom } from "../util/random.ts";
import {
  delayFrom,
  type DurationEstimate,
  planForLatency,
  type PollPlan,
} from "../timing/poll_plan.ts";
import { Backoff } from "../timing/backoff.ts";
import { simulatePolling } from "./_simulate.ts";
import { percentile, summarize } from "./_stats.ts";
import {
  type Job,
  type NamedWorkload,
  workloadJobs,
  WORKLOADS,
} from "./_workload.ts";

// Draws from the duration model that stand for its true distribution.
const DRAWS = 100_000;
// The run is planned in this many parts of its jobs, each with the
// distribution of its own middle, so that a drifting workload's bound knows
// when it drifts.
const PARTS = 2;

/** What the perfect-knowledge plan costs on the jobs of a run. */
export interface DpBound {
  /** Status requests per job. */
  requestsPerJob: number;
  /** Detection latency of each job in ms, in the run's order. */
  latencies: number[];
}

/**
 * Polls every job of `jobs` on the plan for `target` ms that the planner
 * makes from `named`'s true distribution of durations (sampled at the
 * middle of the job's part of the run), the first poll deferred to the
 * plan's first after 0 as `LearnedSchedule.firstDelay()` does; past the
 * plan's end, one poll every `target`.
 */
export function dpBound(
  named: NamedWorkload,
  jobs: readonly Job[],
  target: number,
): DpBound {
  const plans: PollPlan[] = [];
  for (let part = 0; part < PARTS; part++) {
    const random = seededRandom(1_000_003 + part);
    const progress = (part + 0.5) / PARTS;
    const sample = Float64Array.from(
      { length: DRAWS },
      () => named.duration(random, progress),
    ).sort();
    plans.push(planForLatency(empirical(sample), target));
  }
  let requests = 0;
  const latencies = jobs.map((job, index) => {
    const plan = plans[Math.floor((index / jobs.length) * PARTS)];
    let elapsed = delayFrom(plan, 0) ?? 0;
    requests++;
    while (elapsed < job.duration) {
      elapsed += delayFrom(plan, elapsed) ?? target;
      requests++;
    }
    return elapsed - job.duration;
  });
  return { requestsPerJob: requests / jobs.length, latencies };
}

/**
 * The distribution of a sorted sample, as the planner reads an estimate:
 * what the planner would know if it knew every duration.
 */
export function empirical(sample: Float64Array): DurationEstimate {
  const cdf = (time: number): number => {
    let low = 0;
    let high = sample.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sample[middle] <= time) low = middle + 1;
      else high = middle;
    }
    return low / sample.length;
  };
  return {
    cdf,
    surviving: (time) => 1 - cdf(time),
    horizon: sample[sample.length - 1],
  };
}

/**
 * The perfect-knowledge bound of every named workload at `size`, with the
 * target the learned schedule is given (the seed backoff's p95), in
 * Markdown: what no schedule that learns the same distribution can beat by
 * more than the luck of the draw.
 */
export function dpBoundLines(size: "full" | "quick", seed = 1): string[] {
  let logSum = 0;
  const rows = WORKLOADS.map((named) => {
    const { jobs } = workloadJobs(named, named.count[size], seed);
    const backoff = simulatePolling(
      new Backoff({ initialDelay: 1000, maxDelay: 5000, jitter: 0 }),
      jobs,
    );
    const reference = summarize(backoff.requests, backoff.latencies);
    const target = reference.latencyP95Ms;
    const bound = dpBound(named, jobs, target);
    const ratio = bound.requestsPerJob / reference.requestsPerJob;
    if (!named.warm) logSum += Math.log(ratio);
    return `| ${named.name} | ${
      (percentile(bound.latencies, 95) / target).toFixed(2)
    } | ${ratio.toFixed(2)}× |`;
  });
  const cold = WORKLOADS.filter((named) => !named.warm).length;
  return [
    `The same planner given each workload's true distribution of durations (${size} size, seed ${seed}): the lower bound of what learning can reach:`,
    "",
    "| workload | p95 / target | requests vs seed |",
    "| --- | ---: | ---: |",
    ...rows,
    "",
    `Geometric mean over the ${cold} cold-start workloads: ${
      Math.exp(logSum / cold).toFixed(2)
    }×`,
  ];
}
