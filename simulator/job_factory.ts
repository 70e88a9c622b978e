/**
 * Draws new jobs: their ids, durations and outcomes, from the options and the
 * random source, unless a `POST /jobs` body scripts them.
 *
 * @module
 */

import type { Clock } from "../timing/clock.ts";
import { Job, type JobOutcome } from "./jobs.ts";
import type { ResolvedOptions } from "./options.ts";

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * Makes jobs that start now.
 *
 * @example A job scripted to fail after two seconds
 * ```ts
 * import { JobFactory } from "./job_factory.ts";
 * import { resolveOptions } from "./options.ts";
 * import { FakeClock } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock({ start: 0 });
 * const factory = new JobFactory(resolveOptions({}), clock, () => 0.5);
 * const job = factory.draw(factory.nextId(), 2_000, "error");
 * assert.equal(job.status(1_999), "pending");
 * assert.equal(job.status(2_000), "error");
 * ```
 */
export class JobFactory {
  #config: ResolvedOptions;
  #clock: Clock;
  #random: () => number;
  #counter = 0;

  /**
   * Creates a factory.
   *
   * @param config The simulator's options.
   * @param clock Where a job's start is read.
   * @param random The random source of durations, outcomes and ids.
   */
  constructor(config: ResolvedOptions, clock: Clock, random: () => number) {
    this.#config = config;
    this.#clock = clock;
    this.#random = random;
  }

  /**
   * Draws a job that starts now.
   *
   * @param id The job's id.
   * @param duration Its duration in milliseconds; drawn from
   * `minDuration`..`maxDuration` when absent.
   * @param outcome Its final status; drawn with `errorRate` when absent.
   * @returns The job.
   */
  draw(id: string, duration?: number, outcome?: JobOutcome): Job {
    const { minDuration, maxDuration, errorRate } = this.#config;
    const length = duration ??
      minDuration + this.#random() * (maxDuration - minDuration);
    const final = outcome ??
      (this.#random() < errorRate ? "error" : "completed");
    const start = this.#clock.now();
    return new Job(id, start, start + Math.round(length), final);
  }

  /**
   * A new job id: eight random characters, then a counter, so ids never
   * repeat within one simulator and are hard to guess across them.
   *
   * @returns The id.
   */
  nextId(): string {
    let id = "";
    for (let i = 0; i < 8; i++) {
      id += ID_ALPHABET[Math.floor(this.#random() * ID_ALPHABET.length)] ??
        "0";
    }
    return id + (++this.#counter).toString(36).padStart(4, "0");
  }
}
