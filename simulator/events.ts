/**
 * Server-Sent Events for job status: the wire format and the one shared
 * heartbeat that keeps every idle stream alive.
 *
 * @module
 */

import type { ScheduledTask, Scheduler } from "../timing/scheduler.ts";
import type { Clock } from "../timing/clock.ts";

/**
 * Formats one status event: `event: status`, then the JSON body on one
 * `data:` line, then a blank line.
 *
 * @example
 * ```ts
 * import { formatStatusEvent } from "./events.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   formatStatusEvent({ result: "pending" }),
 *   'event: status\ndata: {"result":"pending"}\n\n',
 * );
 * ```
 *
 * @param body The status body, the same as a `GET` answer's.
 * @returns The event text.
 */
export function formatStatusEvent(body: unknown): string {
  return `event: status\ndata: ${JSON.stringify(body)}\n\n`;
}

/**
 * The comment sent on idle streams; clients ignore it.
 *
 * @example
 * ```ts
 * import { HEARTBEAT_COMMENT } from "./events.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(HEARTBEAT_COMMENT.startsWith(":"));
 * ```
 */
export const HEARTBEAT_COMMENT = ": heartbeat\n\n";

/**
 * Calls every registered beat at a fixed interval with one scheduler task
 * shared by all streams, and with none when no stream is open.
 *
 * @example
 * ```ts
 * import { Heartbeat } from "./events.ts";
 * import { Scheduler } from "../timing/scheduler.ts";
 * import { systemClock } from "../timing/clock.ts";
 * import assert from "node:assert/strict";
 *
 * const scheduler = new Scheduler(systemClock);
 * const heartbeat = new Heartbeat(scheduler, systemClock, 5);
 * await new Promise<void>((resolve) => {
 *   const stop = heartbeat.add(() => {
 *     stop();
 *     resolve();
 *   });
 * });
 * assert.equal(scheduler.size, 0);
 * ```
 */
export class Heartbeat {
  #scheduler: Scheduler;
  #clock: Clock;
  #interval: number;
  #beats = new Set<() => void>();
  #task: ScheduledTask | undefined;

  /**
   * Creates a heartbeat with no beats.
   *
   * @param scheduler Where the shared task runs.
   * @param clock The clock.
   * @param interval Milliseconds between beats.
   */
  constructor(scheduler: Scheduler, clock: Clock, interval: number) {
    this.#scheduler = scheduler;
    this.#clock = clock;
    this.#interval = interval;
  }

  /** How many beats are registered. */
  get size(): number {
    return this.#beats.size;
  }

  /**
   * Registers a beat.
   *
   * @param beat Called once per interval.
   * @returns A function that unregisters it.
   */
  add(beat: () => void): () => void {
    this.#beats.add(beat);
    this.#task ??= this.#schedule();
    return () => {
      this.#beats.delete(beat);
      if (this.#beats.size === 0) {
        this.#scheduler.cancel(this.#task);
        this.#task = undefined;
      }
    };
  }

  #schedule(): ScheduledTask {
    return this.#scheduler.schedule(
      this.#clock.now() + this.#interval,
      () => {
        this.#task = undefined;
        for (const beat of [...this.#beats]) beat();
        if (this.#beats.size > 0) this.#task ??= this.#schedule();
      },
    );
  }
}
