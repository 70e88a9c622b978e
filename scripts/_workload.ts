// A seeded workload of translation jobs: when each job arrives and how long it
// takes. Pure and deterministic, shared by the benchmark and the simulations
// in the tests.

import { seededRandom } from "../util/random.ts";

/** A source of uniform random numbers in [0, 1). */
export type Random = () => number;

/** Draws one job duration in milliseconds. */
export type DurationModel = (random: Random) => number;

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
  return (random) => random() < weight ? first(random) : second(random);
}

/** Options of {@linkcode workload}. */
export interface WorkloadOptions {
  /** Number of jobs. */
  count: number;
  /** Seed of every random draw. */
  seed: number;
  /** Mean time between arrivals in milliseconds (a Poisson process). */
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
    jobs.push({ arrival, duration: duration(random) });
    arrival += -meanInterarrival * Math.log(1 - random());
  }
  return jobs;
}
