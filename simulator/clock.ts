/**
 * The clock the simulator reads and sets its one wake-up timer on, so tests
 * can replace real time with a clock they advance by hand.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";

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
 * (`performance.timeOrigin + performance.now()`, like the client's; whole
 * milliseconds would add up to one to every detection) and timers that fire
 * on time rather than a millisecond or more late.
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
  now,
  setTimeout: preciseTimeout,
  clearTimeout: (handle: unknown): void => {
    const { timer, immediate } = handle as PreciseTimer;
    if (timer !== undefined) clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
  },
});

function now(): number {
  return performance.timeOrigin + performance.now();
}

// The runtime's timers fire late: under Deno a 5 ms timeout takes about
// 6.2 ms, a 0 ms one about 2 ms. The simulator's one timer decides when held
// long-polls and event streams learn of a completion, so it wakes this much
// early and then yields turn by turn (I/O keeps flowing) until it is due.
const EARLY_WAKE_MS = 2;

interface PreciseTimer {
  timer?: ReturnType<typeof setTimeout>;
  immediate?: ReturnType<typeof setImmediate>;
}

function preciseTimeout(callback: () => void, delay: number): PreciseTimer {
  const due = now() + delay;
  const handle: PreciseTimer = {};
  const check = (): void => {
    handle.timer = undefined;
    handle.immediate = undefined;
    if (now() >= due) callback();
    else handle.immediate = setImmediate(check);
  };
  if (delay > EARLY_WAKE_MS) {
    handle.timer = setTimeout(check, delay - EARLY_WAKE_MS);
  } else handle.immediate = setImmediate(check);
  return handle;
}
