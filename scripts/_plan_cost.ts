// What learning costs the learned schedule as observations pile up: the time
// of one observation together with the nextDelay() call after it, which is
// where a plan that the observation made stale is rebuilt. Measured through
// the public API only, at growing counts of observations, so that a cost
// that grows with what was learned shows.

import { LearnedSchedule } from "../mod.ts";
import { lognormal } from "./_workload.ts";
import { seededRandom } from "../util/random.ts";

// Waits open at once while the schedule learns.
const RUNNING = 1000;

/** The cost at one count of observations. */
export interface PlanCost {
  /** Observations learned when the window of measured ones ended. */
  observations: number;
  /** Mean microseconds of one observe() and the nextDelay() after it. */
  microsPerObservation: number;
}

/** Options of {@linkcode planCost}. */
export interface PlanCostOptions {
  /** Counts of observations at which to report. @default {[1000, 10_000, 100_000]} */
  checkpoints?: readonly number[];
  /** Observations measured before each checkpoint (all of them, if fewer). @default {5000} */
  window?: number;
  /** Seed of the durations and of the waits asking for a delay. @default {1} */
  seed?: number;
}

/**
 * Feeds one LearnedSchedule completions of lognormal jobs (median 10 s,
 * σ 0.5) among a thousand running waits, each followed by the nextDelay()
 * of the wait that replaces it, and times the last `window` pairs before
 * each checkpoint.
 */
export function planCost(options: PlanCostOptions = {}): PlanCost[] {
  const {
    checkpoints = [1000, 10_000, 100_000],
    window = 5000,
    seed = 1,
  } = options;
  const random = seededRandom(seed);
  const duration = lognormal(10_000, 0.5);
  const schedule = new LearnedSchedule();
  let started = 0;
  const waits = Array.from({ length: RUNNING }, () => `wait ${started++}`);
  const costs: PlanCost[] = [];
  let observed = 0;
  for (const checkpoint of checkpoints) {
    const start = Math.max(observed, checkpoint - window);
    // One running wait's job completes, seen by a poll 0–2 s after it;
    // a new wait takes its place and asks when to poll next, as a client
    // with `RUNNING` waits open at once would.
    const learn = (count: number): void => {
      for (let i = 0; i < count; i++) {
        const slot = Math.floor(random() * RUNNING);
        const ended = duration(random);
        const after = Math.max(0, ended - 2000 * random());
        schedule.observe({ after, atMost: ended + 1, wait: waits[slot] });
        waits[slot] = `wait ${started++}`;
        schedule.nextDelay({
          attempt: 1,
          elapsed: 2000 * random(),
          wait: waits[slot],
        });
      }
    };
    learn(start - observed);
    const began = performance.now();
    learn(checkpoint - start);
    const took = performance.now() - began;
    observed = checkpoint;
    costs.push({
      observations: checkpoint,
      microsPerObservation: took * 1000 / Math.max(1, checkpoint - start),
    });
  }
  return costs;
}

/** The report's lines: a table of the costs. */
export function planCostLines(costs: readonly PlanCost[]): string[] {
  return [
    "Learned schedule: one observe() and the nextDelay() after it (where a stale plan is rebuilt), mean over the last observations before each count:",
    "",
    "| Observations | µs per observation |",
    "| --: | --: |",
    ...costs.map(({ observations, microsPerObservation }) =>
      `| ${observations.toLocaleString("en-US")} | ${
        microsPerObservation.toFixed(1)
      } |`
    ),
  ];
}
