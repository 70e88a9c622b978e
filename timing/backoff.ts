/**
 * Capped exponential backoff with jitter: the default poll schedule and the
 * delay between retries of failed requests.
 *
 * @module
 */

import type { PollContext, PollSchedule } from "./schedule.ts";
import { assertFiniteAtLeast, show } from "../util/validate.ts";

/**
 * Options for {@linkcode Backoff}.
 *
 * @example Half a second, doubling up to ten seconds, without jitter
 * ```ts
 * import { Backoff, type BackoffOptions } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const options: BackoffOptions = { initialDelay: 500, maxDelay: 10_000, jitter: 0 };
 * assert.equal(new Backoff(options).delay(3), 2000);
 * ```
 */
export interface BackoffOptions {
  /**
   * Delay in milliseconds after the first attempt.
   *
   * @default {1000}
   */
  initialDelay?: number;
  /**
   * Upper bound in milliseconds of any delay.
   *
   * @default {5000}
   */
  maxDelay?: number;
  /**
   * Factor by which the delay grows after each attempt.
   *
   * @default {2}
   */
  multiplier?: number;
  /**
   * Fraction, from 0 to 1, by which a delay may be randomly shortened so that
   * many clients do not poll in lockstep. 0 turns jitter off.
   *
   * @default {0.1}
   */
  jitter?: number;
  /**
   * Source of random numbers in [0, 1).
   *
   * @default {Math.random}
   */
  random?: () => number;
}

/**
 * Capped exponential backoff with subtractive jitter: attempt `n` waits
 * `min(maxDelay, initialDelay * multiplier ** (n - 1))`, shortened by up to
 * `jitter` of itself, so a delay never exceeds `maxDelay`.
 *
 * @example The seed's schedule: 1 s, 2 s, 4 s, then 5 s
 * ```ts
 * import { Backoff } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const backoff = new Backoff({ jitter: 0 });
 * assert.deepEqual([1, 2, 3, 4].map((n) => backoff.delay(n)), [1000, 2000, 4000, 5000]);
 * ```
 */
export class Backoff implements PollSchedule {
  /** Delay in milliseconds after the first attempt. */
  readonly initialDelay: number;
  /** Upper bound in milliseconds of any delay. */
  readonly maxDelay: number;
  /** Growth factor per attempt. */
  readonly multiplier: number;
  /** Largest fraction by which a delay is shortened at random. */
  readonly jitter: number;
  #random: () => number;

  /**
   * Creates a backoff policy.
   *
   * @param options The policy's parameters.
   * @throws {RangeError} If a parameter is out of range.
   */
  constructor(options: BackoffOptions = {}) {
    const {
      initialDelay = 1000,
      maxDelay = 5000,
      multiplier = 2,
      jitter = 0.1,
      random = Math.random,
    } = options;
    assertFiniteAtLeast("Backoff", "initialDelay", initialDelay, 0);
    assertFiniteAtLeast(
      "Backoff",
      "maxDelay",
      maxDelay,
      initialDelay,
      "initialDelay",
    );
    assertFiniteAtLeast("Backoff", "multiplier", multiplier, 1);
    if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)) {
      throw new RangeError(
        `Cannot create Backoff as 'jitter' must be between 0 and 1: current value is ${
          show(jitter)
        }`,
      );
    }
    this.initialDelay = initialDelay;
    this.maxDelay = maxDelay;
    this.multiplier = multiplier;
    this.jitter = jitter;
    this.#random = random;
  }

  /**
   * The delay after attempt `attempt`.
   *
   * @example
   * ```ts
   * import { Backoff } from "./backoff.ts";
   * import assert from "node:assert/strict";
   *
   * const backoff = new Backoff({ initialDelay: 100, maxDelay: 1000, jitter: 0.5, random: () => 0.5 });
   * assert.equal(backoff.delay(2), 150);
   * ```
   *
   * @param attempt The 1-based number of the attempt that just ended.
   * @returns Milliseconds to wait, between `(1 - jitter)` times the capped delay and the capped delay.
   */
  delay(attempt: number): number {
    const exponent = Math.max(0, attempt - 1);
    const capped = Math.min(
      this.maxDelay,
      this.initialDelay * this.multiplier ** exponent,
    );
    return capped * (1 - this.jitter * this.#random());
  }

  /**
   * {@linkcode PollSchedule} view of {@linkcode Backoff.delay}.
   *
   * @example
   * ```ts
   * import { Backoff } from "./backoff.ts";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Backoff({ jitter: 0 }).nextDelay({ attempt: 1, elapsed: 0 }), 1000);
   * ```
   *
   * @param context The wait so far.
   * @returns Milliseconds to wait.
   */
  nextDelay(context: PollContext): number {
    return this.delay(context.attempt);
  }
}
