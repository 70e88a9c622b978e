/**
 * The waits a `LearnedSchedule` knows to be running, kept as right-censored
 * evidence in its histogram, and the recency of every job by when it
 * started.
 *
 * @module
 */

import { binOf } from "./duration_bins.ts";
import type { DurationHistogram } from "./duration_histogram.ts";

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
 * it was last seen pending, and hands its weight to what ends it.
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
      if (this.#waits.size >= MAX_RUNNING) {
        this.end(this.#waits.keys().next().value!);
      }
      this.#histogram.tick();
      this.#waits.set(wait, { start: ++this.#ticks, age, since: age });
      this.#histogram.censor(age, 1, true);
      return true;
    }
    // A clock that went back does not make the job younger.
    if (age > known.age && binOf(age) !== binOf(known.age)) {
      const weight = this.#weight(known);
      this.#histogram.censor(known.age, -weight, true);
      this.#histogram.censor(age, weight, true);
    }
    known.age = Math.max(known.age, age);
    return false;
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

  #weight(running: Running): number {
    return this.#histogram.decay ** (this.#ticks - running.start);
  }
}
