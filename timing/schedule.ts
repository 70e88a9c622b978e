/**
 * The timing policy's contract: when to send the next status request while a
 * job is pending. Pure code with no timers or I/O, so any schedule can be
 * tested with plain numbers.
 *
 * @module
 */

/**
 * What a schedule knows when it picks the next delay.
 *
 * @example Slow down after ten seconds
 * ```ts
 * import type { PollContext } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const nextDelay = ({ elapsed }: PollContext): number =>
 *   elapsed < 10_000 ? 500 : 2000;
 * assert.equal(nextDelay({ attempt: 4, elapsed: 12_000 }), 2000);
 * ```
 */
export interface PollContext {
  /**
   * The attempt that just ended: how many status requests this wait has sent
   * so far, failed ones included (1 after the first).
   */
  attempt: number;
  /** Milliseconds since the wait started (for a job this client created: since its creation). */
  elapsed: number;
  /**
   * Identifies the wait: the same string in every call about it, down to
   * the `observe()` or `abandon()` that ends it (the client makes it of the
   * job's start and status URL, so that a wait in steps keeps it from one
   * process to the next). Present only when the wait
   * knows when its job started, so that `elapsed` is the job's age and a
   * schedule can learn from waits still running (their jobs are longer than
   * that).
   */
  wait?: string;
}

/**
 * What a schedule knows when it picks the delay before the first status
 * request of a wait: only waits that know when their job started ask.
 *
 * @example Wait for the usual minute before asking
 * ```ts
 * import type { FirstDelayContext } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const firstDelay = ({ elapsed }: FirstDelayContext): number =>
 *   Math.max(0, 60_000 - elapsed);
 * assert.equal(firstDelay({ elapsed: 1000, wait: "job-1" }), 59_000);
 * ```
 */
export interface FirstDelayContext {
  /** Milliseconds since the job started (its creation, for a job this client created). */
  elapsed: number;
  /** Identifies the wait, as {@linkcode PollContext.wait} does in the calls that follow. */
  wait: string;
}

/**
 * Where a finished job's completion lies, as far as the wait can tell: after
 * the last `pending` answer was received and at or before the first final one
 * was, that is in `(after, atMost]`. Both are milliseconds since the job
 * started; a wait that does not know when its job started reports nothing.
 * A first answer that was already final gives `{ after: 0, atMost }`: the job
 * took at most `atMost`, not exactly that.
 *
 * @example Record how long jobs took at most
 * ```ts
 * import type { CompletionObservation, PollSchedule } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const seen: number[] = [];
 * const schedule: PollSchedule = {
 *   nextDelay: () => 1000,
 *   observe: ({ atMost }: CompletionObservation) => void seen.push(atMost),
 * };
 * schedule.observe?.({ after: 3000, atMost: 4000 });
 * assert.deepEqual(seen, [4000]);
 * ```
 */
export interface CompletionObservation {
  /** When the last `pending` answer was received, or 0 if none was. */
  after: number;
  /**
   * When the first final answer was received. Equal to `after` only when the
   * exact time of the completion was observed.
   */
  atMost: number;
  /** The wait, as {@linkcode PollContext.wait} named it; absent if it did not. */
  wait?: string;
  /**
   * The job's age when the wait began, in ms: from then on the wait watched
   * it, so that a schedule can tell the gaps its own plan chose (the wait
   * began by `after`) from an interval that passed before anyone looked (a
   * wait that began late and found the job ended). Absent if unknown.
   */
  watchedFrom?: number;
}

/**
 * A wait that ended without a final status (aborted, timed out, out of
 * retries): its job was still running `after` ms after it started.
 *
 * @example Count the jobs that outlived their waits
 * ```ts
 * import type { PollSchedule, UnfinishedObservation } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const outlived: number[] = [];
 * const schedule: PollSchedule = {
 *   nextDelay: () => 1000,
 *   abandon: ({ after }: UnfinishedObservation) => void outlived.push(after),
 * };
 * schedule.abandon?.({ after: 30_000, wait: "job-1" });
 * assert.deepEqual(outlived, [30_000]);
 * ```
 */
export interface UnfinishedObservation {
  /** When the last `pending` answer was received, in ms since the job started. */
  after: number;
  /** The wait, as {@linkcode PollContext.wait} named it. */
  wait: string;
}

/**
 * Decides how long to wait before the next status request of a pending job.
 *
 * @example A fixed one-second interval
 * ```ts
 * import type { PollSchedule } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const everySecond: PollSchedule = { nextDelay: () => 1000 };
 * assert.equal(everySecond.nextDelay({ attempt: 3, elapsed: 2500 }), 1000);
 * ```
 */
export interface PollSchedule {
  /**
   * The delay in milliseconds before the next status request.
   *
   * @param context The wait so far.
   * @returns A finite number of milliseconds of at least 0 (the client rejects
   * the wait with a `RangeError` otherwise).
   */
  nextDelay(context: PollContext): number;
  /**
   * The delay in milliseconds before the first status request of a wait
   * that knows when its job started, so that a job that surely takes
   * minutes is not asked about the moment it was created. Optional: without
   * it (and for a wait whose job's start is unknown, or that has webhooks
   * with polling as the safety net) the first request goes at once.
   *
   * @param context The job's age and the wait.
   * @returns A finite number of milliseconds of at least 0 (the client rejects
   * the wait with a `RangeError` otherwise); 0 asks at once.
   */
  firstDelay?(context: FirstDelayContext): number;
  /**
   * Called once when a wait that knows when its job started ends with a
   * final status, so that a schedule can learn how long jobs take. Optional.
   *
   * @param observation Where the completion lies.
   */
  observe?(observation: CompletionObservation): void;
  /**
   * Called once when a wait whose `nextDelay()` calls carried a `wait` ends
   * without a final status, so that a schedule can learn that its job ran
   * longer, and forget the wait. Optional; it must not throw.
   *
   * @param observation How long the job was seen running.
   */
  abandon?(observation: UnfinishedObservation): void;
}
