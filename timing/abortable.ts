/**
 * The one way a sleep here meets an abort signal: settle once, reject with
 * `signal.reason` unchanged, and leave neither a timer nor a listener behind.
 *
 * @module
 */

/**
 * Waits until `start`'s wake-up is called, or rejects with `signal.reason` as
 * soon as the signal aborts (at once if it already has). `start` arms the
 * wake-up and returns how to disarm it, which an abort calls; the listener is
 * removed either way.
 *
 * @example A sleep on a runtime timer
 * ```ts
 * import { abortable } from "./abortable.ts";
 * import assert from "node:assert/strict";
 *
 * const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
 *   abortable((wake) => {
 *     const timer = setTimeout(wake, ms);
 *     return () => clearTimeout(timer);
 *   }, signal);
 * await sleep(1);
 * const reason = new Error("stop");
 * await assert.rejects(sleep(60_000, AbortSignal.abort(reason)), (error) => error === reason);
 * ```
 *
 * @param start Arms the wake-up; returns a function that disarms it.
 * @param signal Aborts the wait.
 * @returns A promise that settles once: on the wake-up or on the abort.
 */
export function abortable(
  start: (wake: () => void) => () => void,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      disarm();
      reject(signal?.reason);
    };
    const disarm = start(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
