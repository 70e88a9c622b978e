/**
 * A poll schedule that learns how long jobs take and polls where completion
 * is likely: few requests while a job is surely still running, a steady
 * cadence where it probably finishes, aimed at the detection latency the
 * user states.
 *
 * @module
 */

import type {
  CompletionObservation,
  FirstDelayContext,
  PollContext,
  PollSchedule,
  UnfinishedObservation,
} from "./schedule.ts";
import { DurationHistogram } from "./duration_histogram.ts";
import {
  decodeState,
  encodeState,
  type LearnedScheduleJSON,
} from "./learned_schedule_json.ts";
import { delayFrom } from "./poll_plan.ts";
import { LazyPlan } from "./lazy_plan.ts";
import { RunningWaits } from "./running_waits.ts";
import {
  assertInterval,
  assertNonNegative,
  assertProbability,
  type LearnedScheduleOptions,
  resolveOptions,
} from "./learned_schedule_options.ts";

export type {
  LearnedBins,
  LearnedScheduleJSON,
} from "./learned_schedule_json.ts";
export type { LearnedScheduleOptions } from "./learned_schedule_options.ts";

/**
 * A {@linkcode PollSchedule} that learns the distribution of job durations
 * online and plans each wait's polls from it, for a stated 95th-percentile
 * detection latency (`targetLatency`, 5 s unless set), a latency relative
 * to the median (`latencyRatio`), or a request budget
 * (`maxRequestsPerJob`).
 *
 * It learns from every wait that knows when its job started: where a
 * completion lay (after the last `pending` answer, at or before the first
 * final one), that a wait given up outlived its last `pending` answer, and
 * that a wait still running has not ended yet. The estimate is a
 * Kaplan–Meier survival curve over all three, so that the jobs that end
 * first (the short ones of a batch) do not teach that jobs are short. What
 * was learned from a job counts half after `halfLife` later jobs; memory
 * stays fixed.
 *
 * From the estimate it plans poll times that minimise the expected requests
 * while at most 5 % of detections come later than the target: one target
 * apart where completions are dense, further apart where few jobs end
 * (above all before the first usually do), and sparsely for the few jobs
 * that outlive the plan, which it counts late. A wait's first request waits
 * for the plan's first poll (`firstDelay()`). Until `minSamples` jobs have
 * been seen (ended or still running: before any has ended, the waits
 * running already tell that no job ended younger), it defers to the
 * fallback; past the plan, it polls once a target (or sparsely).
 * The plan is rebuilt lazily, at a flat cost per job. It uses no randomness
 * and no clock.
 *
 * `toJSON()` saves what it learned and `LearnedSchedule.fromJSON()`
 * restores it, so that a restarted worker starts warm; `merge()` adds what
 * another worker learned.
 *
 * @example Learn from finished jobs, then poll around the usual duration
 * ```ts
 * import { LearnedSchedule } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const schedule = new LearnedSchedule({ targetLatency: 2000 });
 * for (let i = 0; i < 50; i++) {
 *   const duration = 8000 + 100 * (i % 40); // 8 to 12 s
 *   schedule.observe({ after: duration, atMost: duration });
 * }
 * // No request is spent before jobs usually finish…
 * const first = schedule.nextDelay({ attempt: 1, elapsed: 0 });
 * assert.ok(first >= 7000 && first <= 10_500);
 * // …then one about every 2 s
 * assert.ok(schedule.nextDelay({ attempt: 2, elapsed: first }) <= 2500);
 * ```
 */
export class LearnedSchedule implements PollSchedule {
  /** Schedule used while too little has been learned. */
  readonly fallback: PollSchedule;
  /** Number of jobs observed before learning is used. */
  readonly minSamples: number;
  /** Later jobs after which a job's weight halves. */
  readonly halfLife: number;
  /** The 95th-percentile latency aimed at in ms, unless another option is set. */
  readonly targetLatency: number | undefined;
  /** The 95th-percentile latency as a fraction of the median, if set. */
  readonly latencyRatio: number | undefined;
  /** The expected requests per job planned for, if set. */
  readonly maxRequestsPerJob: number | undefined;
  #histogram: DurationHistogram;
  #running: RunningWaits;
  #plan: LazyPlan;

  /**
   * Creates a schedule that has not learned anything yet.
   *
   * @param options The schedule's parameters.
   * @throws {RangeError} If a number is out of range.
   * @throws {TypeError} If `fallback` is not a poll schedule, or more than
   * one of `targetLatency`, `latencyRatio` and `maxRequestsPerJob` is set.
   */
  constructor(options: LearnedScheduleOptions = {}) {
    const resolved = resolveOptions(options);
    this.fallback = resolved.fallback;
    this.minSamples = resolved.minSamples;
    this.halfLife = resolved.halfLife;
    this.targetLatency = resolved.targetLatency;
    this.latencyRatio = resolved.latencyRatio;
    this.maxRequestsPerJob = resolved.maxRequestsPerJob;
    this.#histogram = new DurationHistogram(resolved.halfLife);
    this.#running = new RunningWaits(this.#histogram);
    this.#plan = new LazyPlan(this.#histogram, resolved);
  }

  /**
   * Restores a schedule from what {@linkcode LearnedSchedule.toJSON} saved,
   * with the given options (the document holds none).
   *
   * @example A restarted worker starts warm
   * ```ts
   * import { LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const before = new LearnedSchedule();
   * for (let i = 0; i < 20; i++) before.observe({ after: 9000, atMost: 10_000 });
   * const text = JSON.stringify(before);
   * const after = LearnedSchedule.fromJSON(text);
   * assert.equal(after.samples, 20);
   * const context = { attempt: 1, elapsed: 0 };
   * assert.equal(after.nextDelay(context), before.nextDelay(context));
   * ```
   *
   * @param json The document, or its JSON text.
   * @param options The restored schedule's options.
   * @returns The schedule.
   * @throws {TypeError} If the document is not a valid learned schedule of
   * this version; the message names the field.
   */
  static fromJSON(
    json: unknown,
    options?: LearnedScheduleOptions,
  ): LearnedSchedule {
    const state = decodeState(json, "restore LearnedSchedule");
    const schedule = new LearnedSchedule(options);
    schedule.#histogram.merge(state);
    return schedule;
  }

  /**
   * How many jobs have been observed to complete (with the waits running,
   * the count that `minSamples` is compared with).
   *
   * @example
   * ```ts
   * import { LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule({ halfLife: 1 });
   * schedule.observe({ after: 900, atMost: 1000 });
   * schedule.observe({ after: 0, atMost: 1000 });
   * assert.equal(schedule.samples, 2);
   * ```
   *
   * @returns The number of observations.
   */
  get samples(): number {
    return this.#histogram.observations;
  }

  /**
   * The learned `p`-quantile of job durations.
   *
   * @example The median of what was learned
   * ```ts
   * import { LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule();
   * assert.equal(schedule.quantile(0.5), undefined);
   * schedule.observe({ after: 9000, atMost: 11000 });
   * assert.equal(Math.round(schedule.quantile(0.5)! / 100), 100);
   * ```
   *
   * @param p A probability between 0 and 1.
   * @returns Milliseconds, or `undefined` before the first observation.
   * @throws {RangeError} If `p` is not between 0 and 1.
   */
  quantile(p: number): number | undefined {
    assertProbability(p);
    if (this.samples === 0) return undefined;
    return this.#histogram.quantile(p);
  }

  /**
   * Learns from a finished wait where its job's completion lay.
   *
   * @example A legacy server only brackets the completion
   * ```ts
   * import { LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule();
   * schedule.observe({ after: 7000, atMost: 12000 });
   * const median = schedule.quantile(0.5)!;
   * assert.ok(median > 7000 && median <= 12000);
   * ```
   *
   * @param observation Milliseconds since the job started: when the last
   * `pending` answer was received (0 if none was) and when the first final
   * one was, equal only when the exact time was observed; the wait, and
   * when it began (else: when a call first named it).
   * @throws {RangeError} Unless `0 <= after <= atMost` (and `watchedFrom`)
   * are finite.
   */
  observe(observation: CompletionObservation): void {
    const { after, atMost, watchedFrom } = observation;
    assertInterval(after, atMost, watchedFrom);
    this.#running.complete(observation);
    this.#plan.learned();
  }

  /**
   * Learns that a wait ended without a final status: its job ran longer
   * than `after`.
   *
   * @example
   * ```ts
   * import { LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule();
   * schedule.observe({ after: 9000, atMost: 10_000 });
   * schedule.abandon({ after: 60_000, wait: "job-1" });
   * assert.equal(schedule.toJSON().unfinished.weights.length, 1);
   * ```
   *
   * @param observation Milliseconds since the job started, and the wait.
   * @throws {RangeError} Unless `after` is a non-negative finite number.
   */
  abandon(observation: UnfinishedObservation): void {
    assertNonNegative("abandon", "after", observation.after);
    this.#running.abandon(observation);
    this.#plan.learned();
  }

  /**
   * The delay until the next planned poll (for a wait that began on an
   * older plan: a cadence, not a poll just ahead), one target once the job
   * has outlived a plan whose tail is not sparse, or the fallback's delay
   * while too little is known. A planned delay is always a positive finite
   * number; an `elapsed` below 0 (a clock that went back) counts as 0.
   *
   * @example
   * ```ts
   * import { Backoff, LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule({ fallback: new Backoff({ jitter: 0 }) });
   * assert.equal(schedule.nextDelay({ attempt: 1, elapsed: 0 }), 1000);
   * ```
   *
   * @param context The wait so far.
   * @returns Milliseconds to wait.
   */
  nextDelay(context: PollContext): number {
    return this.#planned(context, true) ?? this.fallback.nextDelay(context);
  }

  /**
   * The delay until the plan's first poll after the job's age, so that no
   * request is spent on a job that surely still runs (the client asks only
   * for a wait that knows when its job started). 0, at once, while too
   * little is known (the fallback's phase) or for a job older than the
   * plan. Registers the wait as running, as `nextDelay()` does.
   *
   * @example A trained schedule skips the first seconds of a 10-second job
   * ```ts
   * import { LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const schedule = new LearnedSchedule({ targetLatency: 2000 });
   * assert.equal(schedule.firstDelay({ elapsed: 0, wait: "job-0" }), 0);
   * for (let i = 0; i < 50; i++) schedule.observe({ after: 9000, atMost: 10_000 });
   * assert.ok(schedule.firstDelay({ elapsed: 0, wait: "job-1" }) >= 7000);
   * assert.equal(schedule.firstDelay({ elapsed: 3_600_000, wait: "job-2" }), 0);
   * ```
   *
   * @param context The job's age and the wait.
   * @returns Milliseconds to wait, 0 for at once.
   */
  firstDelay(context: FirstDelayContext): number {
    return this.#planned(context, false) ?? 0;
  }

  /**
   * What was learned, as a versioned JSON document: what
   * {@linkcode LearnedSchedule.fromJSON} restores and
   * {@linkcode LearnedSchedule.merge} adds. Waits still running and the
   * options are not part of it.
   *
   * @example
   * ```ts
   * import { LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const saved = new LearnedSchedule().toJSON();
   * assert.equal(saved.version, 2);
   * assert.equal(saved.observations, 0);
   * ```
   *
   * @returns The document.
   */
  toJSON(): LearnedScheduleJSON {
    return encodeState(this.#histogram.state());
  }

  /**
   * Adds what another schedule learned (its `toJSON()` document), as if this
   * one had seen those jobs too, each as recent as it was there. Merge each
   * document once: merging the same one twice counts its jobs twice.
   *
   * @example Two workers pool what they learned
   * ```ts
   * import { LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const a = new LearnedSchedule();
   * const b = new LearnedSchedule();
   * a.observe({ after: 9000, atMost: 10_000 });
   * b.observe({ after: 19_000, atMost: 20_000 });
   * const pooled = LearnedSchedule.fromJSON(a.toJSON());
   * pooled.merge(b.toJSON());
   * assert.equal(pooled.samples, 2);
   * ```
   *
   * @param json The other schedule's document, or its JSON text.
   * @throws {TypeError} If the document is not a valid learned schedule of
   * this version; nothing is merged then.
   */
  merge(json: unknown): void {
    this.#histogram.merge(decodeState(json, "merge LearnedSchedule"));
    this.#plan.reset();
  }

  /**
   * Takes over the waits `other` knows to be running, for a schedule built
   * to replace it (`toJSON()` holds none): each with its ages and recency
   * weight, without aging what this one learned. `other` forgets them.
   *
   * @example A rebuilt schedule still knows that a job runs long
   * ```ts
   * import { LearnedSchedule } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const old = new LearnedSchedule();
   * old.observe({ after: 9000, atMost: 10_000 });
   * old.firstDelay({ elapsed: 60_000, wait: "job-1" });
   * const rebuilt = LearnedSchedule.fromJSON(old.toJSON());
   * assert.ok(rebuilt.quantile(0.9)! < 12_000);
   * rebuilt.takeRunningWaits(old);
   * assert.ok(rebuilt.quantile(0.9)! > 12_000);
   * ```
   *
   * @param other The schedule replaced.
   */
  takeRunningWaits(other: LearnedSchedule): void {
    this.#running.take(other.#running);
    this.#plan.reset();
    other.#plan.reset();
  }

  // Notes the wait as running; the plan's delay, unless too little is known.
  // Age 0 for a clock that went back or NaN: the plan's search cannot be NaN.
  #planned(
    context: FirstDelayContext | PollContext,
    tail: boolean,
  ): number | undefined {
    const age = context.elapsed > 0 ? context.elapsed : 0;
    if (context.wait !== undefined && this.#running.seen(context.wait, age)) {
      this.#plan.learned();
    }
    // Jobs that tell something: those that ended and those still running.
    const evidence = this.samples + this.#running.size;
    if (evidence < this.minSamples) return undefined;
    return delayFrom(this.#plan.current(evidence), age, tail);
  }
}
