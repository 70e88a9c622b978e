/**
 * A clock whose sleeps end on time rather than a millisecond or more late,
 * for a simulator that serves real clients. It uses `setImmediate` from
 * `node:timers` (Deno, Node.js and Bun have it), which is why it lives with
 * the runtime adapters and not in the pure handler.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";
import { abortable } from "../../timing/abortable.ts";
import {
  type Clock,
  MAX_TIMER_DELAY,
  systemClock,
} from "../../timing/clock.ts";

// The runtime's timers fire late: under Deno a 5 ms timeout takes about
// 6.2 ms, a 0 ms one about 2 ms. The simulator's one sleep decides when held
// long-polls and event streams learn of a completion, so it wakes this much
// early and then yields turn by turn (I/O keeps flowing) until it is due.
const EARLY_WAKE_MS = 2;

/**
 * The real time of {@linkcode systemClock} with sleeps that end neither early
 * nor late: a timer a little before the deadline, then one event-loop turn at
 * a time until it is due. `serve()` gives it to the simulator it creates.
 *
 * @example Sleep 5 ms and wake within a millisecond of it
 * ```ts
 * import { preciseClock } from "./precise_clock.ts";
 * import assert from "node:assert/strict";
 *
 * const start = preciseClock.now();
 * await preciseClock.sleep(5);
 * assert.ok(preciseClock.now() - start >= 5);
 * ```
 */
export const preciseClock: Clock = Object.freeze({
  now: systemClock.now,
  sleep: preciseSleep,
});

/** The runtime timers of one precise sleep, whichever is armed. */
interface PreciseTimer {
  timer?: ReturnType<typeof setTimeout>;
  immediate?: ReturnType<typeof setImmediate>;
}

function preciseSleep(ms: number, signal?: AbortSignal): Promise<void> {
  const due = systemClock.now() + Math.min(MAX_TIMER_DELAY, Math.max(0, ms));
  return abortable(
    (wake) => {
      const handle: PreciseTimer = {};
      const check = (): void => {
        handle.timer = undefined;
        handle.immediate = undefined;
        if (systemClock.now() >= due) wake();
        else handle.immediate = setImmediate(check);
      };
      const early = due - systemClock.now() - EARLY_WAKE_MS;
      if (early > 0) handle.timer = setTimeout(check, early);
      else handle.immediate = setImmediate(check);
      return handle;
    },
    cancelPrecise,
    signal,
  );
}

function cancelPrecise({ timer, immediate }: PreciseTimer): void {
  if (timer !== undefined) clearTimeout(timer);
  if (immediate !== undefined) clearImmediate(immediate);
}
