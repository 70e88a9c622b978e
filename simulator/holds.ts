/**
 * The requests the simulator holds open (long-polls, event streams, injected
 * latency), so that `close()` can release every one of them at once and
 * `maxHeld` can bound how many there are.
 *
 * @module
 */

import type { Job } from "./jobs.ts";
import type { Scheduler } from "../timing/scheduler.ts";

/**
 * Why a hold ended: the job finished, the time ran out, the client went away,
 * or the simulator closed.
 *
 * @example
 * ```ts
 * import type { HoldEnd } from "./holds.ts";
 *
 * const end: HoldEnd = "elapsed";
 * ```
 */
export type HoldEnd = "finished" | "elapsed" | "aborted" | "closed";

/**
 * The set of held requests, each with a release function, and whether the
 * simulator has closed.
 *
 * @example Hold until a time, then see why it ended
 * ```ts
 * import { Holds } from "./holds.ts";
 * import { Scheduler } from "../timing/scheduler.ts";
 * import { FakeClock } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock({ start: 0 });
 * const holds = new Holds(new Scheduler(clock));
 * const end = holds.hold(1_000, new AbortController().signal);
 * assert.equal(holds.size, 1);
 * assert.equal(await end, "elapsed");
 * assert.equal(clock.now(), 1_000);
 * assert.equal(holds.size, 0);
 * ```
 */
export class Holds {
  #scheduler: Scheduler;
  #releases = new Set<() => void>();
  #closed = false;

  /**
   * Creates an empty set.
   *
   * @param scheduler Where deadlines and job completions are waited for.
   */
  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  /** How many requests are held. */
  get size(): number {
    return this.#releases.size;
  }

  /** Whether {@linkcode Holds.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Counts a request as held until `release` is removed.
   *
   * @param release Called by {@linkcode Holds.close}; it must end the hold
   * and remove itself.
   */
  add(release: () => void): void {
    this.#releases.add(release);
  }

  /**
   * Stops counting a request as held.
   *
   * @param release The function given to {@linkcode Holds.add}.
   */
  delete(release: () => void): void {
    this.#releases.delete(release);
  }

  /**
   * Waits until `until`, the job's finish, an abort or `close()`: one entry in
   * the shared scheduler, never a timer of its own.
   *
   * @param until When to give up, in clock milliseconds.
   * @param signal The request's signal.
   * @param job The job whose finish ends the hold early.
   * @returns Why the hold ended.
   */
  hold(until: number, signal: AbortSignal, job?: Job): Promise<HoldEnd> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve("aborted");
      if (this.#closed) return resolve("closed");
      let done = false;
      const end = (why: HoldEnd): void => {
        if (done) return;
        done = true;
        this.#scheduler.cancel(task);
        unwatch?.();
        signal.removeEventListener("abort", onAbort);
        this.#releases.delete(release);
        resolve(why);
      };
      const onAbort = (): void => end("aborted");
      const release = (): void => end("closed");
      const task = this.#scheduler.schedule(until, () => end("elapsed"));
      const unwatch = job?.onFinish(this.#scheduler, () => end("finished"));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#releases.add(release);
    });
  }

  /** Releases every held request; later holds end at once as `"closed"`. */
  close(): void {
    this.#closed = true;
    for (const release of [...this.#releases]) release();
  }
}
