/**
 * The waits a `LearnedSchedule` knows to be running, kept as right-censored
 * evidence in its histogram, and the recency of every job by when it
 * started.
 *
 * @module
 */

import { binOf } from "./duration_bins.ts";
import type { DurationHistogram } from "./duration_histogram.ts";
import type {
  CompletionObservation,
  UnfinishedObservation,
} from "./schedule.ts";

// Waits tracked at most: a caller that never ends its waits cannot make the
// schedule grow without bound (the oldest is forgotten first).
const MAX_RUNNING = 65_536;

interface Running {
  /** The tick at which the wait was first seen. */
  start: number;
  /** Its job's age when last seen pending, in ms. */
  age: number;
  /** Its job's age when the wait was first seen, in ms. */
  since: number;
}

/** What the end of a wait tells of the evidence it leaves. */
export interface WaitEnd {
  /** The weight of that evidence, from 0 to 1: less for an older job. */
  weight: number;
  /** The job's age when the wait was first seen; `Infinity` if never. */
  since: number;
}

/**
 * Tracks running waits by the `wait` object their calls carry. Each new wait
 * ticks the histogram (recency counts by start, so that a batch's long jobs
 * are not older evidence than its short ones), is right-censored at the age
 * it was last seen pending, and gives its weight to what ends it. Another
 * tracker can take the waits over (a schedule rebuilt to replace another),
 * each as recent as it was.
 *
 * @example A wait seen pending, then completed
 * ```ts
 * import { DurationHistogram } from "./duration_histogram.ts";
 * import { RunningWaits } from "./running_waits.ts";
 * import assert from "node:assert/strict";
 *
 * const histogram = new DurationHistogram(100);
 * const waits = new RunningWaits(histogram);
 * const wait = "job-1";
 * waits.seen(wait, 4000);
 * assert.equal(waits.size, 1);
 * assert.deepEqual(waits.end(wait), { weight: 1, since: 4000 });
 * assert.equal(waits.size, 0);
 * ```
 */
export class RunningWaits {
  readonly #histogram: DurationHistogram;
  readonly #waits = new Map<string, Running>();
  #ticks = 0;

  /**
   * Creates a tracker that keeps its evidence in `histogram`.
   *
   * @param histogram Where the evidence goes.
   */
  constructor(histogram: DurationHistogram) {
    this.#histogram = histogram;
  }

  /**
   * How many waits are running.
   *
   * @returns The count.
   */
  get size(): number {
    return this.#waits.size;
  }

  /**
   * Notes that `wait`'s job was still pending `age` ms after it started.
   *
   * @param wait The wait's identity.
   * @param age Milliseconds, at least 0.
   * @returns Whether the wait is new.
   */
  seen(wait: string, age: number): boolean {
    const known = this.#waits.get(wait);
    if (known === undefined) {
      this.#histogram.tick();
      this.#add(wait, { start: ++this.#ticks, age, since: age });
      return true;
    }
    this.#older(known, age);
    return false;
  }

  /**
   * Learns where a wait's job completed, with the weight of its start, and
   * ends the wait.
   *
   * @param observation A valid completion (the caller checks it).
   */
  complete(observation: CompletionObservation): void {
    const { after, atMost, watchedFrom } = observation;
    const { weight, since } = this.end(observation.wait);
    // Watched: the wait began before the interval's middle (by `after`, but
    // for the moments between an answer and the schedule's call).
    const watched = (watchedFrom ?? since) <= (after + atMost) / 2;
    this.#histogram.observe({ after, atMost }, weight, watched);
  }

  /**
   * Learns that a wait's job ran longer than `after`, with the weight of
   * its start, and ends the wait.
   *
   * @param observation A valid observation (the caller checks it).
   */
  abandon(observation: UnfinishedObservation): void {
    const { weight } = this.end(observation.wait);
    this.#histogram.censor(observation.after, weight);
  }

  /**
   * Takes over the waits `other` tracks, each with its ages and as many
   * ticks since its start as there (so with the same weight), without a
   * tick: no job started, and what this histogram learned does not age.
   * `other` forgets them. A wait both track stays as this one knows it, at
   * the older age.
   *
   * @param other Another tracker.
   */
  take(other: RunningWaits): void {
    if (other === this) return;
    for (const [wait, running] of other.#waits) {
      const known = this.#waits.get(wait);
      if (known !== undefined) this.#older(known, running.age);
      else {
        const ticks = other.#ticks - running.start;
        this.#add(wait, { ...running, start: this.#ticks - ticks });
      }
    }
    other.#waits.clear();
    other.#histogram.clearRunning();
  }

  /**
   * Ends `wait`, if it was running, and returns the weight the evidence of
   * its end carries (less for a job that started long ago) and since when
   * the wait watched. A wait never seen (or none) started now, and ticks.
   *
   * @param wait The wait's identity, if known.
   * @returns The weight, and the job's age when the wait was first seen.
   */
  end(wait: string | undefined): WaitEnd {
    const known = wait === undefined ? undefined : this.#waits.get(wait);
    if (known === undefined) {
      this.#histogram.tick();
      this.#ticks++;
      return { weight: 1, since: Infinity };
    }
    this.#waits.delete(wait!);
    const weight = this.#weight(known);
    if (this.#waits.size === 0) this.#histogram.clearRunning();
    else this.#histogram.censor(known.age, -weight, true);
    return { weight, since: known.since };
  }

  // Tracks a wait not tracked yet, censored at its age with its weight.
  #add(wait: string, running: Running): void {
    if (this.#waits.size >= MAX_RUNNING) {
      this.end(this.#waits.keys().next().value!);
    }
    this.#waits.set(wait, running);
    this.#histogram.censor(running.age, this.#weight(running), true);
  }

  // Moves a wait's evidence to `age` if older; a clock that went back does
  // not make the job younger.
  #older(known: Running, age: number): void {
    if (age > known.age && binOf(age) !== binOf(known.age)) {
      const weight = this.#weight(known);
      this.#histogram.censor(known.age, -weight, true);
      this.#histogram.censor(age, weight, true);
    }
    known.age = Math.max(known.age, age);
  }

  #weight(running: Running): number {
    return this.#histogram.decay ** (this.#ticks - running.start);
  }
}
