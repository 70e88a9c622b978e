/**
 * A clock whose sleeps end on time rather than a millisecond or more late,
 * for a simulator that serves real clients. It uses `setImmediate` from
 * `node:timers` (Deno, Node.js and Bun have it), which is why it lives with
 * the runtime adapters and not in the pure handler.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";
import { type Clock, systemClock } from "../../timing/clock.ts";

// The runtime's timers fire late: under Deno a 5 ms timeout takes about
// 6.2 ms, a 0 ms one about 2 ms. The simulator's one sleep decides when held
// long-polls and event streams learn of a completion, so it wakes this much
// early and then yields turn by turn (I/O keeps flowing) until it is due.
const EARLY_WAKE_MS = 2;

/** The longest delay `setTimeout` accepts (about 24.8 days). */
const MAX_TIMEOUT = 2 ** 31 - 1;

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

function preciseSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const due = systemClock.now() + Math.min(MAX_TIMEOUT, Math.max(0, ms));
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let immediate: ReturnType<typeof setImmediate> | undefined;
    const onAbort = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      reject(signal?.reason);
    };
    const check = (): void => {
      timer = undefined;
      immediate = undefined;
      if (systemClock.now() < due) {
        immediate = setImmediate(check);
        return;
      }
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const early = due - systemClock.now() - EARLY_WAKE_MS;
    if (early > 0) timer = setTimeout(check, early);
    else immediate = setImmediate(check);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
