/**
 * Translation jobs and the bounded store that keeps them.
 *
 * A job's status is a function of the clock: `pending` until its finish time,
 * then its outcome forever. Nothing ticks per job; a job that someone waits on
 * gets one task on the shared {@linkcode Scheduler} at its finish time.
 *
 * @module
 */

import type { JobSnapshot, JobSnapshotStatus } from "../protocol/dialect.ts";
import { IndexedHeap } from "../timing/heap.ts";
import type { ScheduledTask, Scheduler } from "../timing/scheduler.ts";

/**
 * How a simulated job ends: done, failed, or canceled (final like a failure,
 * written with the dialect's own canceled word).
 *
 * @example
 * ```ts
 * import type { JobOutcome } from "./jobs.ts";
 *
 * const outcome: JobOutcome = "canceled";
 * ```
 */
export type JobOutcome = Exclude<JobSnapshotStatus, "pending">;

/** Where a completed job's (fake) video lives: a host that never resolves. */
const VIDEO_HOST = "https://cdn.video-status.test/";

/** Why a job ended without a video, as its error details say. */
const ERROR_MESSAGES: Readonly<
  Record<Exclude<JobOutcome, "completed">, string>
> = {
  error: "Simulated failure: the video could not be translated",
  canceled: "Simulated cancellation: the job was canceled before it ended",
};

/** Why a job stopped by a cancel request ended, as its error details say. */
const CANCELED_BY_REQUEST = "Canceled by request";

/**
 * One simulated translation job.
 *
 * @example Read a job's status at two points in time
 * ```ts
 * import { Job } from "./jobs.ts";
 * import assert from "node:assert/strict";
 *
 * const job = new Job("a1", 0, 2_000, "completed");
 * assert.equal(job.status(1_999), "pending");
 * assert.equal(job.status(2_000), "completed");
 * assert.equal(job.status(0), "completed"); // final never changes
 * ```
 */
export class Job {
  /** The job's id, as used in `/jobs/{id}`. */
  readonly id: string;
  /** When the job was created, in clock milliseconds. */
  readonly createdAt: number;
  /** Position in the store's eviction heap; -1 when not stored. */
  heapIndex = -1;
  #finishAt: number;
  #outcome: JobOutcome;
  #final: JobOutcome | undefined;
  #canceled = false;
  #listeners = new Set<() => void>();
  #task: ScheduledTask | undefined;

  /**
   * Creates a job.
   *
   * @param id The job's id.
   * @param createdAt Creation time in clock milliseconds.
   * @param finishAt When it turns final, in clock milliseconds.
   * @param outcome The final status it reaches.
   */
  constructor(
    id: string,
    createdAt: number,
    finishAt: number,
    outcome: JobOutcome,
  ) {
    this.id = id;
    this.createdAt = createdAt;
    this.#finishAt = finishAt;
    this.#outcome = outcome;
  }

  /** When the job turns final, in clock milliseconds (earlier once canceled). */
  get finishAt(): number {
    return this.#finishAt;
  }

  /** The final status the job reaches at `finishAt`. */
  get outcome(): JobOutcome {
    return this.#outcome;
  }

  /**
   * The job's status at time `now`. Once a job has been seen final it stays
   * so, even if a clock were to go back.
   *
   * @param now The current time in clock milliseconds.
   * @returns The status.
   */
  status(now: number): JobSnapshotStatus {
    if (this.#final === undefined && now >= this.finishAt) {
      this.#final = this.outcome;
    }
    return this.#final ?? "pending";
  }

  /**
   * The job at time `now`, as a dialect writes it: progress from the time
   * elapsed over its duration, a fake video URL once completed, and error
   * details once failed or canceled.
   *
   * @example
   * ```ts
   * import { Job } from "./jobs.ts";
   * import assert from "node:assert/strict";
   *
   * const job = new Job("a1", 0, 2_000, "completed");
   * assert.deepEqual(job.snapshot(500), { id: "a1", status: "pending", progress: 0.25, createdAt: 0 });
   * assert.equal(job.snapshot(2_000).videoUrl, "https://cdn.video-status.test/a1.mp4");
   * ```
   *
   * @param now The current time in clock milliseconds.
   * @returns The snapshot.
   */
  snapshot(now: number): JobSnapshot {
    const status = this.status(now);
    const length = this.finishAt - this.createdAt;
    const progress = status !== "pending" || length <= 0
      ? 1
      : Math.min(1, Math.max(0, (now - this.createdAt) / length));
    const snapshot: JobSnapshot = {
      id: this.id,
      status,
      progress,
      createdAt: this.createdAt,
    };
    if (status === "pending") return snapshot;
    snapshot.finishedAt = this.finishAt;
    if (status === "completed") {
      snapshot.videoUrl = `${VIDEO_HOST}${encodeURIComponent(this.id)}.mp4`;
    } else {
      snapshot.errorMessage = this.#canceled
        ? CANCELED_BY_REQUEST
        : ERROR_MESSAGES[status];
    }
    return snapshot;
  }

  /** How many listeners wait for this job to finish. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /**
   * Calls `listener` once when the job turns final. All listeners of a job
   * share one scheduler task.
   *
   * @param scheduler The scheduler to wake up on.
   * @param listener Called once, at the finish time.
   * @returns A function that removes the listener (and the task, if it was the
   * last one).
   */
  onFinish(scheduler: Scheduler, listener: () => void): () => void {
    this.#listeners.add(listener);
    this.#task ??= scheduler.schedule(this.#finishAt, () => this.#finish());
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#task !== undefined) {
        scheduler.cancel(this.#task);
        this.#task = undefined;
      }
    };
  }

  /**
   * Cancels the job at `now` if it is still pending: it turns `canceled`
   * there and then, and its listeners hear it on the scheduler's next turn.
   * Use {@linkcode JobStore.cancel} for a stored job, so that the store's
   * order follows.
   *
   * @example
   * ```ts
   * import { Job } from "./jobs.ts";
   * import { Scheduler } from "../timing/scheduler.ts";
   * import { FakeClock } from "@video-status/client/testing";
   * import assert from "node:assert/strict";
   *
   * const job = new Job("a1", 0, 2_000, "completed");
   * const scheduler = new Scheduler(new FakeClock({ start: 0 }));
   * assert.equal(job.cancel(scheduler, 500), true);
   * assert.equal(job.status(500), "canceled");
   * assert.equal(job.snapshot(500).errorMessage, "Canceled by request");
   * assert.equal(job.cancel(scheduler, 600), false); // already final
   * ```
   *
   * @param scheduler The scheduler its listeners wait on.
   * @param now The current time in clock milliseconds.
   * @returns `false` when the job was already final (nothing changed).
   */
  cancel(scheduler: Scheduler, now: number): boolean {
    if (this.status(now) !== "pending") return false;
    this.#finishAt = now;
    this.#outcome = "canceled";
    this.#final = "canceled";
    this.#canceled = true;
    if (this.#task !== undefined) {
      scheduler.cancel(this.#task);
      this.#task = scheduler.schedule(now, () => this.#finish());
    }
    return true;
  }

  #finish(): void {
    this.#task = undefined;
    this.#final ??= this.#outcome;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const notify of listeners) notify();
  }
}

/**
 * A bounded map of jobs by id. When full, it evicts the job that finished
 * earliest; when every stored job is still pending it refuses new ones.
 *
 * @example Evict the finished job to make room
 * ```ts
 * import { Job, JobStore } from "./jobs.ts";
 * import assert from "node:assert/strict";
 *
 * const store = new JobStore(1);
 * assert.equal(store.add(new Job("a", 0, 10, "completed"), 0), true);
 * assert.equal(store.add(new Job("b", 0, 10, "completed"), 5), false);
 * assert.equal(store.add(new Job("b", 0, 10, "completed"), 10), true);
 * assert.equal(store.get("a"), undefined);
 * assert.equal(store.size, 1);
 * ```
 */
export class JobStore {
  #maxJobs: number;
  #jobs = new Map<string, Job>();
  #byFinish = new IndexedHeap<Job>((job) => job.finishAt);

  /**
   * Creates an empty store.
   *
   * @param maxJobs How many jobs it keeps at most.
   */
  constructor(maxJobs: number) {
    this.#maxJobs = maxJobs;
  }

  /** How many jobs are stored. */
  get size(): number {
    return this.#jobs.size;
  }

  /**
   * Looks a job up.
   *
   * @param id The job's id.
   * @returns The job, or `undefined` when unknown or evicted.
   */
  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  /**
   * Tells whether an id is taken.
   *
   * @param id The id.
   * @returns `true` when a stored job has this id.
   */
  has(id: string): boolean {
    return this.#jobs.has(id);
  }

  /**
   * Stores a job, first evicting the job that finished earliest when the store
   * is full.
   *
   * @param job A job with an unused id.
   * @param now The current time in clock milliseconds.
   * @returns `false` when the store is full of pending jobs (nothing changed).
   */
  add(job: Job, now: number): boolean {
    if (this.#jobs.size >= this.#maxJobs) {
      const oldest = this.#byFinish.peek();
      if (oldest === undefined || oldest.status(now) === "pending") {
        return false;
      }
      this.#byFinish.remove(oldest);
      this.#jobs.delete(oldest.id);
    }
    this.#jobs.set(job.id, job);
    this.#byFinish.push(job);
    return true;
  }

  /**
   * When the next stored job finishes.
   *
   * @returns The earliest finish time in clock milliseconds, or `undefined`
   * when the store is empty.
   */
  nextFinish(): number | undefined {
    return this.#byFinish.peek()?.finishAt;
  }

  /**
   * Cancels a stored job (see {@linkcode Job.cancel}), keeping the store's
   * eviction order, which follows finish times.
   *
   * @param job A stored job.
   * @param scheduler The scheduler its listeners wait on.
   * @param now The current time in clock milliseconds.
   * @returns `false` when the job was already final.
   */
  cancel(job: Job, scheduler: Scheduler, now: number): boolean {
    this.#byFinish.remove(job);
    const canceled = job.cancel(scheduler, now);
    if (this.#jobs.get(job.id) === job) this.#byFinish.push(job);
    return canceled;
  }

  /** Removes every job. */
  clear(): void {
    this.#jobs.clear();
    this.#byFinish.clear();
  }
}
