/**
 * The one way a sleep here meets an abort signal: settle once, reject with
 * `signal.reason` unchanged, and leave neither a timer nor a listener behind.
 *
 * @module
 */

/**
 * Waits until `arm`'s wake-up is called, or rejects with `signal.reason` as
 * soon as the signal aborts (at once if it already has). `arm` sets the
 * wake-up up and returns its handle, which an abort passes to `disarm`; the
 * listener is removed either way.
 *
 * @example A sleep on a runtime timer
 * ```ts
 * import { abortable } from "./abortable.ts";
 * import assert from "node:assert/strict";
 *
 * const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
 *   abortable((wake) => setTimeout(wake, ms), clearTimeout, signal);
 * await sleep(1);
 * const reason = new Error("stop");
 * await assert.rejects(sleep(60_000, AbortSignal.abort(reason)), (error) => error === reason);
 * ```
 *
 * @param arm Sets the wake-up up; returns its handle.
 * @param disarm Cancels the wake-up of a handle.
 * @param signal Aborts the wait.
 * @returns A promise that settles once: on the wake-up or on the abort.
 */
export function abortable<Handle>(
  arm: (wake: () => void) => Handle,
  disarm: (handle: Handle) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  // Settled from outside the executor, with `arm` called here rather than
  // in a closure: a sleeping wait then keeps only the two closures below and
  // the handle (thousands of waits sleep at once; see the scale benchmark).
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const settled = new Promise<void>((onWake, onAbort) => {
    resolve = onWake;
    reject = onAbort;
  });
  const onAbort = (): void => {
    disarm(handle);
    reject(signal?.reason);
  };
  const handle = arm(() => {
    signal?.removeEventListener("abort", onAbort);
    resolve();
  });
  signal?.addEventListener("abort", onAbort, { once: true });
  return settled;
}
