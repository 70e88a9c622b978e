// A seeded workload of translation jobs: when each job arrives and how long it
// takes. Pure and deterministic, shared by the benchmark and the simulations
// in the tests.

import { seededRandom } from "../util/random.ts";

/** A source of uniform random numbers in [0, 1). */
export type Random = () => number;

/**
 * Draws one job duration in milliseconds; `progress` is how far into its run
 * the job arrives, from 0 (the first, and when absent) to below 1, for
 * durations that drift.
 */
export type DurationModel = (random: Random, progress?: number) => number;

/** One job of a workload. */
export interface Job {
  /** When the job is submitted, in milliseconds from the start of the run. */
  arrival: number;
  /** How long the job takes to turn terminal, in milliseconds. */
  duration: number;
}

/** A standard normal draw (Box–Muller). */
export function standardNormal(random: Random): number {
  const u = 1 - random(); // in (0, 1], so the logarithm is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Lognormal durations with the given median (ms) and σ of the logarithm. */
export function lognormal(median: number, sigma: number): DurationModel {
  return (random) => median * Math.exp(sigma * standardNormal(random));
}

/** A mix of two duration models: `first` with probability `weight`. */
export function mixture(
  first: DurationModel,
  second: DurationModel,
  weight: number,
): DurationModel {
  return (random, progress) =>
    random() < weight ? first(random, progress) : second(random, progress);
}

/** Options of {@linkcode workload}. */
export interface WorkloadOptions {
  /** Number of jobs. */
  count: number;
  /** Seed of every random draw. */
  seed: number;
  /**
   * Mean time between arrivals in milliseconds (a Poisson process); 0 starts
   * every job together.
   */
  meanInterarrival: number;
  /** Duration of each job. */
  duration: DurationModel;
}

/** The jobs of a seeded workload, in order of arrival. */
export function workload(options: WorkloadOptions): Job[] {
  const { count, seed, meanInterarrival, duration } = options;
  const random = seededRandom(seed);
  const jobs: Job[] = [];
  let arrival = 0;
  for (let i = 0; i < count; i++) {
    jobs.push({ arrival, duration: duration(random, i / count) });
    arrival += -meanInterarrival * Math.log(1 - random());
  }
  return jobs;
}

/** Pareto durations: at least `scale` ms, with tail index `shape` (heavier as it falls). */
export function pareto(scale: number, shape: number): DurationModel {
  return (random) => scale * (1 - random()) ** (-1 / shape);
}

/**
 * Durations that change halfway through a run: `first` for the jobs that
 * arrive in the first half, `second` after.
 */
export function drift(
  first: DurationModel,
  second: DurationModel,
): DurationModel {
  return (random, progress) =>
    (progress ?? 0) < 0.5 ? first(random, progress) : second(random, progress);
}

/** A workload of the benchmark, by name, in the workload's real units. */
export interface NamedWorkload {
  /** Its name, as `--workload` takes it. */
  name: string;
  /** What it is, for the report, in real seconds. */
  text: string;
  /** Duration of each job. */
  duration: DurationModel;
  /** Mean time between arrivals in ms; 0 for a batch started together. */
  meanInterarrival: number;
  /** Number of jobs of a full run and of a `--quick` run. */
  count: { full: number; quick: number };
  /**
   * Jobs polled with the same schedule before the measured run, so that a
   * learning schedule starts warm: as many as the run's, arriving once a
   * second, with the same durations. Absent: a cold start.
   */
  warm?: boolean;
}

const RUN = { full: 1000, quick: 200 };

/**
 * The workloads of the targets, in the order of the report: the
 * learned schedule must meet the seed backoff's p95 on each with fewer
 * requests.
 */
export const WORKLOADS: readonly NamedWorkload[] = [
  {
    name: "lognormal",
    text: "lognormal durations (median 10 s, σ 0.5)",
    duration: lognormal(10_000, 0.5),
    meanInterarrival: 1000,
    count: RUN,
  },
  {
    name: "lognormal-wide",
    text: "lognormal durations (median 10 s, σ 1.0)",
    duration: lognormal(10_000, 1),
    meanInterarrival: 1000,
    count: RUN,
  },
  {
    name: "lognormal-60s",
    text: "lognormal durations (median 60 s, σ 0.5)",
    duration: lognormal(60_000, 0.5),
    meanInterarrival: 1000,
    count: RUN,
  },
  {
    name: "lognormal-3min",
    text: "lognormal durations (median 3 min, σ 0.7)",
    duration: lognormal(180_000, 0.7),
    meanInterarrival: 1000,
    count: RUN,
  },
  {
    name: "mix-5s-60s",
    text: "a 70/30 mix of lognormal durations (median 5 s and 60 s, σ 0.3)",
    duration: mixture(lognormal(5000, 0.3), lognormal(60_000, 0.3), 0.7),
    meanInterarrival: 1000,
    count: RUN,
  },
  {
    name: "drift-10s-40s",
    text:
      "lognormal durations (σ 0.5) whose median drifts from 10 s to 40 s halfway",
    duration: drift(lognormal(10_000, 0.5), lognormal(40_000, 0.5)),
    meanInterarrival: 1000,
    count: RUN,
  },
  {
    name: "pareto-mix",
    text:
      "a heavy-tailed 75/25 mix of Pareto durations (from 3 s, index 2.5; from 15 s, index 1.5)",
    duration: mixture(pareto(3000, 2.5), pareto(15_000, 1.5), 0.75),
    meanInterarrival: 1000,
    count: RUN,
  },
  {
    name: "batch",
    text:
      "a batch started together, lognormal durations (median 6 s, σ 0.6), after as many warm-up jobs",
    duration: lognormal(6000, 0.6),
    meanInterarrival: 0,
    count: { full: 300, quick: 100 },
    warm: true,
  },
];

/** The workload named `name`, or `undefined`. */
export function namedWorkload(name: string): NamedWorkload | undefined {
  return WORKLOADS.find((candidate) => candidate.name === name);
}

/**
 * The jobs of a run of `named`: the measured ones, and those a schedule
 * learns from first (none for a cold start). The warm-up jobs come from
 * another seed, so that they are not the measured jobs again.
 */
export function workloadJobs(
  named: NamedWorkload,
  count: number,
  seed: number,
): { warmUp: Job[]; jobs: Job[] } {
  const { duration, meanInterarrival } = named;
  const jobs = workload({ count, seed, meanInterarrival, duration });
  const warmUp = named.warm
    ? workload({ count, seed: seed + 7919, meanInterarrival: 1000, duration })
    : [];
  return { warmUp, jobs };
}
