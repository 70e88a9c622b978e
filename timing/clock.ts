/**
 * Time as the client sees it: a clock that reads milliseconds and sleeps
 * abortably. Injecting one makes every wait deterministic in tests.
 *
 * @module
 */

import { abortable } from "./abortable.ts";
import { type ScheduledTask, Scheduler } from "./scheduler.ts";

/**
 * A source of time and of abortable sleeps.
 *
 * @example A clock that never waits (for simulations)
 * ```ts
 * import type { Clock } from "@video-status/client";
 *
 * let now = 0;
 * const virtual: Clock = {
 *   now: () => now,
 *   sleep: (ms) => {
 *     now += ms;
 *     return Promise.resolve();
 *   },
 * };
 * await virtual.sleep(1000);
 * ```
 */
export interface Clock {
  /**
   * The current time in milliseconds. Only differences are used, except when
   * an HTTP-date `Retry-After` is compared with it, so it should track the
   * Unix epoch.
   */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with `signal.reason` as soon as
   * `signal` aborts, leaving no timer behind.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The longest delay `setTimeout` accepts, in milliseconds (about 24.8 days);
 * a sleep on a runtime timer ends there at the latest.
 *
 * @example
 * ```ts
 * import { MAX_TIMER_DELAY } from "./clock.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_TIMER_DELAY, 2_147_483_647);
 * ```
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

// One runtime timer per sleep, the base the shared scheduler sleeps on. A
// longer sleep ends at the timer's limit; the scheduler then finds nothing
// due and sleeps again. Rounded up to the timer's whole milliseconds, which
// it would otherwise truncate: a sleep that ends early costs another round.
const timerClock: Clock = {
  now,
  sleep: (ms, signal) =>
    abortable(
      (wake) => setTimeout(wake, Math.min(MAX_TIMER_DELAY, Math.ceil(ms))),
      clearTimeout,
      signal,
    ),
};

// Every sleep in the process shares one timer: ten thousand sleeping waits
// cost ten thousand heap entries, not ten thousand timers.
let sharedScheduler: Scheduler | undefined;

/**
 * Resolves after `ms` milliseconds, or rejects with `signal.reason` as soon as
 * the signal aborts (at once if it already has). All pending delays share one
 * timer, which is cleared as soon as none is left, and the listener is always
 * removed, so nothing keeps the process alive afterwards.
 *
 * @example
 * ```ts
 * import { delay } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const sleeping = delay(60_000, controller.signal);
 * controller.abort(new Error("stop"));
 * await assert.rejects(sleeping, { message: "stop" });
 * ```
 *
 * @param ms Milliseconds to wait; negative values wait 0.
 * @param signal Aborts the wait.
 * @returns A promise that settles when the time is up or the signal aborts.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  const scheduler = sharedScheduler ??= new Scheduler(timerClock);
  const at = now() + Math.max(0, ms);
  return abortable(
    (wake) => scheduler.schedule(at, wake),
    cancelShared,
    signal,
  );
}

// Shared by every delay, so that a sleeping one holds no closure of its own
// to cancel itself.
function cancelShared(task: ScheduledTask): void {
  sharedScheduler?.cancel(task);
}

/**
 * The real clock: monotonic milliseconds on the Unix epoch's scale
 * (`performance.timeOrigin + performance.now()`) and {@linkcode delay}.
 *
 * @example
 * ```ts
 * import { systemClock } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const start = systemClock.now();
 * await systemClock.sleep(5);
 * assert.ok(systemClock.now() - start >= 4);
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now,
  sleep: delay,
});
