/**
 * Capped exponential backoff with jitter: the default poll schedule (delays
 * by attempt) and the delay between retries of failed requests (delays by
 * consecutive failures).
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
   * The first delay in milliseconds: after the first attempt of a wait, or
   * after the first failure in a row.
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
   * Factor by which each delay grows over the one before.
   *
   * @default {2}
   */
  multiplier?: number;
  /**
   * The random spread of a delay, as a fraction of it from 0 to 1, so that
   * many clients do not poll in lockstep: a delay `d` is drawn from
   * `[d * (1 - jitter), d]`, so it never exceeds `maxDelay`. 0 turns jitter
   * off.
   *
   * @default {0.1}
   */
  jitter?: number;
  /**
   * Source of random numbers in [0, 1) (1 is accepted too) for the jitter.
   *
   * @default {Math.random}
   */
  random?: () => number;
}

/**
 * Capped exponential backoff with subtractive jitter: the `n`-th delay is
 * `d = min(maxDelay, initialDelay * multiplier ** (n - 1))`, drawn from
 * `[d * (1 - jitter), d]`, so a delay never exceeds `maxDelay`. As a poll
 * schedule `n` is the attempt (the status requests the wait has sent so
 * far); the client's retries use `n` = the consecutive failures. Every delay
 * is a finite number of at least 0, whatever `n`.
 *
 * When `initialDelay` is 0 or equals `maxDelay`, or `multiplier` is 1, every
 * delay before jitter is `initialDelay`: a fixed interval. Such options are
 * accepted on purpose (a client with `initialDelay` equal to `maxDelay` polls
 * at a fixed interval), though `multiplier` or `maxDelay` then has no effect.
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
  /** The first delay in milliseconds. */
  readonly initialDelay: number;
  /** Upper bound in milliseconds of any delay. */
  readonly maxDelay: number;
  /** Growth factor of each delay over the one before. */
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
   * The `n`-th delay of the sequence.
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
   * @param n Which delay, from 1: the attempt that just ended when polling,
   * the consecutive failures when retrying. Below 1 (or NaN) counts as 1.
   * @returns Milliseconds to wait, between `(1 - jitter)` times the capped
   * delay and the capped delay.
   * @throws {RangeError} If `random` returned a number outside [0, 1].
   */
  delay(n: number): number {
    const capped = this.#capped(n);
    const random = this.#random();
    if (!(random >= 0 && random <= 1)) {
      throw new RangeError(
        `Cannot compute a delay as 'random' must return a number from 0 to 1: current value is ${
          show(random)
        }`,
      );
    }
    return capped * (1 - this.jitter * random);
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
   * @param context The wait so far; only its `attempt` counts.
   * @returns Milliseconds to wait.
   * @throws {RangeError} If `random` returned a number outside [0, 1].
   */
  nextDelay(context: PollContext): number {
    return this.delay(context.attempt);
  }

  // The n-th delay before jitter. A delay of 0 or a multiplier of 1 cannot
  // grow, and is not multiplied at all: 0 * Infinity and 1 ** Infinity are
  // NaN, where a huge `n` overflows the power.
  #capped(n: number): number {
    if (this.initialDelay === 0 || this.multiplier === 1 || !(n > 1)) {
      return this.initialDelay;
    }
    return Math.min(
      this.maxDelay,
      this.initialDelay * this.multiplier ** (n - 1),
    );
  }
}
