/**
 * One shared wake-up for many deadlines: the client's sleeps (every wait of
 * every client in the process) and the simulator's long-poll timeouts, job
 * completions, heartbeats and injected latency. However many are pending, at
 * most one sleep of the clock is.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { IndexedHeap } from "./heap.ts";

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

/**
 * Runs callbacks at points in time on a {@linkcode Clock}, with at most one
 * of its sleeps pending: the sleep until the earliest deadline, aborted and
 * replaced when an earlier one arrives.
 *
 * @example Run a task when the clock reaches it
 * ```ts
 * import { Scheduler } from "./scheduler.ts";
 * import { systemClock } from "./clock.ts";
 * import assert from "node:assert/strict";
 *
 * const scheduler = new Scheduler(systemClock);
 * const ran = await new Promise<boolean>((resolve) => {
 *   scheduler.schedule(systemClock.now() + 5, () => resolve(true));
 * });
 * assert.equal(ran, true);
 * assert.equal(scheduler.size, 0);
 * ```
 */
export class Scheduler {
  #clock: Clock;
  #heap = new IndexedHeap<ScheduledTask>((task) => task.at);
  #sleep: AbortController | undefined = undefined;
  #sleepUntil = Infinity;

  /**
   * Creates a scheduler with nothing scheduled.
   *
   * @param clock The clock to read and to sleep on.
   */
  constructor(clock: Clock) {
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

  /** Drops every task and ends the pending sleep. */
  close(): void {
    this.#heap.clear();
    this.#disarm();
  }

  #arm(early = false): void {
    const next = this.#heap.peek();
    if (next === undefined) return this.#disarm();
    // A sleep that ends early is harmless: it finds nothing due and re-arms.
    if (next.at >= this.#sleepUntil) return;
    this.#disarm();
    const sleep = new AbortController();
    this.#sleep = sleep;
    this.#sleepUntil = next.at;
    // Exact: a clock that sleeps to the microsecond (the simulator's precise
    // one) then wakes on the deadline, not up to a millisecond after it, as
    // rounding up did. A clock that ended its sleep early (one that drops the
    // fraction) sleeps whole milliseconds from then on, so that it cannot
    // wake again and again without its time moving.
    const left = Math.max(0, next.at - this.#clock.now());
    const ms = early ? Math.ceil(left) : left;
    this.#clock.sleep(ms, sleep.signal).then(
      // A sleep aborted after it ended may still resolve: only the current
      // one fires.
      () => this.#sleep === sleep && this.#fire(),
      () => {},
    );
  }

  #disarm(): void {
    this.#sleep?.abort();
    this.#sleep = undefined;
    this.#sleepUntil = Infinity;
  }

  #fire(): void {
    this.#sleep = undefined;
    this.#sleepUntil = Infinity;
    let ran = false;
    try {
      const now = this.#clock.now();
      for (
        let task = this.#heap.peek();
        task !== undefined && task.at <= now;
        task = this.#heap.peek()
      ) {
        this.#heap.remove(task);
        ran = true;
        task.run();
      }
    } finally {
      this.#arm(!ran);
    }
  }
}
