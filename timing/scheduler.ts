/**
 * One shared wake-up for many deadlines: the client's sleeps (every wait of
 * every client in the process) and the simulator's long-poll timeouts, job
 * completions, heartbeats and injected latency. However many are pending, at
 * most one timer is armed.
 *
 * @module
 */

import { IndexedHeap } from "./heap.ts";

/**
 * A clock with timers, such as the simulator's `SimulatorClock` or the
 * global timer functions with `performance.now()`.
 *
 * @example The real timers
 * ```ts
 * import type { Timers } from "./scheduler.ts";
 *
 * const timers: Timers = {
 *   now: () => performance.now(),
 *   setTimeout: (callback, delay) => setTimeout(callback, delay),
 *   clearTimeout: (handle) => clearTimeout(handle as number),
 * };
 * ```
 */
export interface Timers {
  /** Milliseconds since an arbitrary origin, never decreasing. */
  now(): number;
  /** Calls `callback` once after `delay` milliseconds; returns a handle. */
  setTimeout(callback: () => void, delay: number): unknown;
  /** Cancels a timer by the handle `setTimeout` returned. */
  clearTimeout(handle: unknown): void;
}

/**
 * A callback due at a point in time, as returned by
 * {@linkcode Scheduler.schedule}.
 *
 * @example
 * ```ts
 * import type { ScheduledTask } from "./scheduler.ts";
 *
 * const task: ScheduledTask = { at: 0, heapIndex: -1, run: () => {} };
 * ```
 */
export interface ScheduledTask {
  /** When the task is due, in the clock's milliseconds. */
  readonly at: number;
  /** Position in the scheduler's heap; -1 once run or cancelled. */
  heapIndex: number;
  /** The callback. */
  readonly run: () => void;
}

/** The longest delay timers accept (about 24.8 days). */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * Runs callbacks at points in time with a single timer on a
 * {@linkcode Timers}.
 *
 * @example Run a task when the clock reaches it
 * ```ts
 * import { Scheduler } from "./scheduler.ts";
 * import assert from "node:assert/strict";
 *
 * const timers = {
 *   now: () => performance.now(),
 *   setTimeout: (callback: () => void, delay: number) => setTimeout(callback, delay),
 *   clearTimeout: (handle: unknown) => clearTimeout(handle as number),
 * };
 * const scheduler = new Scheduler(timers);
 * const ran = await new Promise<boolean>((resolve) => {
 *   scheduler.schedule(timers.now() + 5, () => resolve(true));
 * });
 * assert.equal(ran, true);
 * assert.equal(scheduler.size, 0);
 * ```
 */
export class Scheduler {
  #clock: Timers;
  #heap = new IndexedHeap<ScheduledTask>((task) => task.at);
  #timer: unknown = undefined;
  #timerAt = Infinity;

  /**
   * Creates a scheduler with nothing scheduled.
   *
   * @param clock The clock to read and to arm the timer on.
   */
  constructor(clock: Timers) {
    this.#clock = clock;
  }

  /** How many tasks are waiting. */
  get size(): number {
    return this.#heap.size;
  }

  /**
   * Schedules `run` for time `at` (or at once, on the next wake-up, when `at`
   * is not in the future).
   *
   * @param at When to run, in the clock's milliseconds.
   * @param run The callback.
   * @returns The task, to pass to {@linkcode Scheduler.cancel}.
   */
  schedule(at: number, run: () => void): ScheduledTask {
    const task: ScheduledTask = { at, run, heapIndex: -1 };
    this.#heap.push(task);
    this.#arm();
    return task;
  }

  /**
   * Cancels a task; does nothing when it already ran or was cancelled.
   *
   * @param task The task from {@linkcode Scheduler.schedule}.
   */
  cancel(task: ScheduledTask | undefined): void {
    if (task === undefined || task.heapIndex < 0) return;
    this.#heap.remove(task);
    this.#arm();
  }

  /** Drops every task and clears the timer. */
  close(): void {
    this.#heap.clear();
    this.#disarm();
  }

  #arm(): void {
    const next = this.#heap.peek();
    if (next === undefined) return this.#disarm();
    // A timer that fires early is harmless: it finds nothing due and re-arms.
    if (next.at >= this.#timerAt) return;
    this.#disarm();
    // Rounded up: a timer that fires a fraction early finds nothing due and
    // costs another timer tick.
    const delay = Math.min(
      MAX_TIMER_DELAY,
      Math.max(0, Math.ceil(next.at - this.#clock.now())),
    );
    this.#timerAt = next.at;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), delay);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    try {
      const now = this.#clock.now();
      for (
        let task = this.#heap.peek();
        task !== undefined && task.at <= now;
        task = this.#heap.peek()
      ) {
        this.#heap.remove(task);
        task.run();
      }
    } finally {
      this.#arm();
    }
  }
}
