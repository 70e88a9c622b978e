/**
 * The clock the simulator reads and sets its one wake-up timer on, so tests
 * can replace real time with a clock they advance by hand.
 *
 * @module
 */

/**
 * A source of time and timers. The simulator reads `now()` for every job
 * status and keeps at most one timer armed at a time.
 *
 * @example A clock that is always at zero and never fires
 * ```ts
 * import type { SimulatorClock } from "./clock.ts";
 *
 * const frozen: SimulatorClock = {
 *   now: () => 0,
 *   setTimeout: () => 0,
 *   clearTimeout: () => {},
 * };
 * ```
 */
export interface SimulatorClock {
  /** Milliseconds since an arbitrary origin, never decreasing. */
  now(): number;
  /** Calls `callback` once after `delay` milliseconds; returns a handle. */
  setTimeout(callback: () => void, delay: number): unknown;
  /** Cancels a timer by the handle `setTimeout` returned. */
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock: monotonic, sub-millisecond time on the Unix epoch's scale
 * (`performance.timeOrigin + performance.now()`, like the client's) and the
 * global timer functions. Whole-millisecond `Date.now()` would add up to a
 * millisecond to every detection.
 *
 * @example Read the time
 * ```ts
 * import { systemClock } from "./clock.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(Math.abs(systemClock.now() - Date.now()) < 1000);
 * ```
 */
export const systemClock: SimulatorClock = Object.freeze({
  now: (): number => performance.timeOrigin + performance.now(),
  setTimeout: (callback: () => void, delay: number): unknown =>
    globalThis.setTimeout(callback, delay),
  clearTimeout: (handle: unknown): void =>
    globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
});
