/**
 * The plan a `LearnedSchedule` polls by, rebuilt lazily from its histogram:
 * at a flat cost per job learned from, however many there are.
 *
 * @module
 */

import {
  type DurationHistogram,
  LONGEST_DURATION,
} from "./duration_histogram.ts";
import { planForBudget, planForLatency, type PollPlan } from "./poll_plan.ts";

// The target latency is never below 1 ms, so that a plan cannot spin, nor
// above the longest duration the histogram tells apart.
const MIN_TARGET = 1;
const MAX_TARGET = LONGEST_DURATION;
// The plan is rebuilt once this share of the jobs learned from (at most
// MAX_STALE of them) are newer than it: as often as each job while little
// is known, at a flat cost per job after.
const STALE_SHARE = 1 / 16;
const MAX_STALE = 16;

/** What a plan aims at: exactly one of the three is set. */
export interface PlanAim {
  targetLatency: number | undefined;
  latencyRatio: number | undefined;
  maxRequestsPerJob: number | undefined;
}

/**
 * The current plan of a histogram, rebuilt once enough is new.
 *
 * @example
 * ```ts
 * import { DurationHistogram } from "./duration_histogram.ts";
 * import { LazyPlan } from "./lazy_plan.ts";
 * import assert from "node:assert/strict";
 *
 * const histogram = new DurationHistogram(100);
 * histogram.observe({ after: 10_000, atMost: 10_000 });
 * const plan = new LazyPlan(histogram, {
 *   targetLatency: 1000,
 *   latencyRatio: undefined,
 *   maxRequestsPerJob: undefined,
 * });
 * assert.equal(plan.current(1).target, 1000);
 * ```
 */
export class LazyPlan {
  readonly #histogram: DurationHistogram;
  readonly #aim: PlanAim;
  #plan: PollPlan | undefined;
  // Jobs learned from since the plan was built.
  #stale = 0;

  /**
   * Plans from `histogram` for `aim`.
   *
   * @param histogram What was learned; read as it learns.
   * @param aim The target, checked by the caller.
   */
  constructor(histogram: DurationHistogram, aim: PlanAim) {
    this.#histogram = histogram;
    this.#aim = aim;
  }

  /** Notes one more job learned from since the plan was built. */
  learned(): void {
    this.#stale++;
  }

  /** Drops the plan: the histogram changed wholesale. */
  reset(): void {
    this.#plan = undefined;
  }

  /**
   * The plan, rebuilt if a share of the `evidence` (the jobs that tell
   * something) is newer than it.
   *
   * @param evidence Jobs ended and running.
   * @returns The plan.
   */
  current(evidence: number): PollPlan {
    const stale = Math.min(MAX_STALE, evidence * STALE_SHARE);
    if (this.#plan !== undefined && this.#stale < stale) return this.#plan;
    const histogram = this.#histogram;
    const { targetLatency, latencyRatio, maxRequestsPerJob } = this.#aim;
    const cautious = histogram.forPlanning();
    const bound = (target: number): number =>
      Math.min(MAX_TARGET, Math.max(MIN_TARGET, target));
    // The plan counts its poll at 0, which a wait that defers its first
    // request to the plan (`firstDelay()`) does not send.
    this.#plan = maxRequestsPerJob !== undefined
      ? planForBudget(cautious, maxRequestsPerJob + 1, MIN_TARGET, MAX_TARGET)
      : planForLatency(
        cautious,
        bound(targetLatency ?? latencyRatio! * histogram.quantile(0.5)),
      );
    this.#stale = 0;
    return this.#plan;
  }
}
