/**
 * A hand-driven clock for simulator tests: time only moves on `tick()`.
 *
 * @module
 */

import type { SimulatorClock } from "../server.ts";

/**
 * A {@linkcode SimulatorClock} whose time and timers move only when a test
 * calls {@linkcode FakeClock.tick}.
 *
 * @example
 * ```ts
 * import { FakeClock } from "./_server_fake_clock.ts";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * let fired = false;
 * clock.setTimeout(() => fired = true, 100);
 * await clock.tick(100);
 * assert.equal(fired, true);
 * ```
 */
export class FakeClock implements SimulatorClock {
  #now: number;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #nextId = 1;

  /** @param start The starting time in milliseconds. */
  constructor(start = 1_000_000) {
    this.#now = start;
  }

  /** The current time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Schedules a callback; returns a handle. */
  setTimeout(callback: () => void, delay: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, delay), callback });
    return id;
  }

  /** Cancels a timer. */
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** How many timers are armed. */
  get timers(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward, firing due timers in order, and lets the promises
   * they settle run.
   *
   * @param ms Milliseconds to advance.
   */
  async tick(ms = 0): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (
          entry[1].at <= target &&
          (next === undefined || entry[1].at < next[1].at)
        ) {
          next = entry;
        }
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].callback();
      // Microtasks only: a timer turn per fire would add up (timers nest to 4 ms).
      for (let i = 0; i < 20; i++) await Promise.resolve();
    }
    this.#now = target;
    await settle();
  }
}

/** Lets pending promise callbacks run (one macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
