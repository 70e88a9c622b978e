/**
 * A virtual clock for deterministic tests: sleeps wait on a virtual timeline,
 * and time only moves when the test says so, or, with `autoAdvance`, whenever
 * every pending promise has settled and only sleeps are left (like an event
 * loop with infinitely fast CPUs).
 *
 * @module
 */

import { abortable } from "../timing/abortable.ts";
import type { Clock } from "../timing/clock.ts";

// The interface FakeClock implements, so that this entry point documents it.
export type { Clock };

interface Sleeper {
  readonly at: number;
  readonly seq: number;
  readonly wake: () => void;
}

/**
 * Options of {@linkcode FakeClock}.
 *
 * @example A clock at zero that moves only on `tick()`
 * ```ts
 * import { FakeClock, type FakeClockOptions } from "@video-status/client/testing";
 *
 * const options: FakeClockOptions = { start: 0, autoAdvance: false };
 * const clock = new FakeClock(options);
 * ```
 */
export interface FakeClockOptions {
  /** The time `now()` reads at first, in milliseconds. @default {1000000} */
  start?: number;
  /**
   * Whether time jumps to the next sleep's end by itself once the code under
   * test has nothing left to do but sleep. @default {true}
   */
  autoAdvance?: boolean;
}

/**
 * A {@linkcode Clock} on a virtual timeline, to give a client, a schedule or
 * a simulator (or all of them at once, so they share the timeline). A wait
 * that would take minutes ends at once, and its timing is the same on every
 * run.
 *
 * @example Sleeps end in time order, without real waiting
 * ```ts
 * import { FakeClock } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock({ start: 0 });
 * const order: number[] = [];
 * await Promise.all([
 *   clock.sleep(60_000).then(() => order.push(clock.now())),
 *   clock.sleep(1_000).then(() => order.push(clock.now())),
 * ]);
 * assert.deepEqual(order, [1_000, 60_000]);
 * assert.deepEqual(clock.sleeps, [60_000, 1_000]);
 * ```
 *
 * @example Move time by hand
 * ```ts
 * import { FakeClock } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock({ start: 0, autoAdvance: false });
 * let woke = false;
 * const sleeping = clock.sleep(500).then(() => woke = true);
 * await clock.tick(499);
 * assert.equal(woke, false);
 * await clock.tick(1);
 * await sleeping;
 * assert.equal(woke, true);
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];
  #seq = 0;
  #autoAdvance: boolean;
  #pump: ReturnType<typeof setTimeout> | undefined;
  /**
   * Every sleep requested, in order, in milliseconds.
   *
   * @example
   * ```ts
   * import { FakeClock } from "@video-status/client/testing";
   * import assert from "node:assert/strict";
   *
   * const clock = new FakeClock();
   * await clock.sleep(250);
   * assert.deepEqual(clock.sleeps, [250]);
   * ```
   */
  readonly sleeps: number[] = [];

  /**
   * Creates a clock at `start` with no sleeps pending.
   *
   * @param options Where time starts and whether it moves by itself.
   */
  constructor(options: FakeClockOptions = {}) {
    this.#now = options.start ?? 1_000_000;
    this.#autoAdvance = options.autoAdvance ?? true;
  }

  /**
   * The virtual time in milliseconds.
   *
   * @example
   * ```ts
   * import { FakeClock } from "@video-status/client/testing";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new FakeClock({ start: 42 }).now(), 42);
   * ```
   *
   * @returns The current virtual time.
   */
  now(): number {
    return this.#now;
  }

  /**
   * How many sleeps are pending: 0 once everything that slept is done.
   *
   * @example Nothing left behind after an abort
   * ```ts
   * import { FakeClock } from "@video-status/client/testing";
   * import assert from "node:assert/strict";
   *
   * const clock = new FakeClock({ autoAdvance: false });
   * const controller = new AbortController();
   * const sleeping = clock.sleep(1_000, controller.signal);
   * assert.equal(clock.timers, 1);
   * controller.abort(new Error("stop"));
   * await assert.rejects(sleeping, { message: "stop" });
   * assert.equal(clock.timers, 0);
   * ```
   */
  get timers(): number {
    return this.#sleepers.length;
  }

  /**
   * Resolves once virtual time has moved `ms` milliseconds on; rejects with
   * `signal.reason` as soon as `signal` aborts (at once if it already has).
   *
   * @example
   * ```ts
   * import { FakeClock } from "@video-status/client/testing";
   * import assert from "node:assert/strict";
   *
   * const clock = new FakeClock({ start: 0 });
   * await clock.sleep(3_000);
   * assert.equal(clock.now(), 3_000);
   * ```
   *
   * @param ms Milliseconds to sleep; negative values sleep 0.
   * @param signal Aborts the sleep.
   * @returns A promise that settles when the time is up or the signal aborts.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    return abortable(
      (wake) => {
        const sleeper = {
          at: this.#now + Math.max(0, ms),
          seq: this.#seq++,
          wake,
        };
        this.#sleepers.push(sleeper);
        this.#sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        this.#schedulePump();
        return sleeper;
      },
      (sleeper) => this.#remove(sleeper),
      signal,
    );
  }

  /**
   * Moves time forward by `ms`, ending every sleep due on the way in order
   * (letting the code each one wakes run before the next), then lets the
   * remaining promise callbacks run.
   *
   * @example
   * ```ts
   * import { FakeClock } from "@video-status/client/testing";
   * import assert from "node:assert/strict";
   *
   * const clock = new FakeClock({ start: 0, autoAdvance: false });
   * const woke: number[] = [];
   * clock.sleep(10).then(() => woke.push(clock.now()));
   * clock.sleep(20).then(() => woke.push(clock.now()));
   * await clock.tick(30);
   * assert.deepEqual(woke, [10, 20]);
   * assert.equal(clock.now(), 30);
   * ```
   *
   * @param ms Milliseconds to move on.
   * @returns A promise that resolves once the woken code has run.
   */
  async tick(ms = 0): Promise<void> {
    const target = this.#now + ms;
    while (this.#sleepers.length > 0 && this.#sleepers[0].at <= target) {
      this.#wakeNext();
      // Microtask turns only: a macrotask per sleep would add up, as nested
      // timers are clamped to 4 ms.
      for (let turn = 0; turn < 20; turn++) await Promise.resolve();
    }
    this.#now = target;
    await settle();
  }

  #wakeNext(): void {
    const sleeper = this.#sleepers.shift()!;
    this.#now = Math.max(this.#now, sleeper.at);
    sleeper.wake();
  }

  #remove(sleeper: Sleeper): void {
    const index = this.#sleepers.indexOf(sleeper);
    if (index !== -1) this.#sleepers.splice(index, 1);
    if (this.#sleepers.length === 0 && this.#pump !== undefined) {
      clearTimeout(this.#pump);
      this.#pump = undefined;
    }
  }

  #schedulePump(): void {
    if (!this.#autoAdvance || this.#pump !== undefined) return;
    // A macrotask runs only once all pending microtasks have: by then the
    // code under test is blocked on sleeps alone.
    this.#pump = setTimeout(() => {
      this.#pump = undefined;
      if (this.#sleepers.length === 0) return;
      this.#wakeNext();
      this.#schedulePump();
    }, 0);
  }
}

/**
 * Lets every pending promise callback run: resolves after one macrotask.
 *
 * @example
 * ```ts
 * import { settle } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * let done = false;
 * Promise.resolve().then(() => Promise.resolve()).then(() => done = true);
 * await settle();
 * assert.equal(done, true);
 * ```
 *
 * @returns A promise that resolves on the next macrotask.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
