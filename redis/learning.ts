/**
 * Shared learning through Redis: the workers of one kind of job learn one
 * duration model, and a restarted worker starts warm.
 *
 * @module
 */

import {
  LearnedSchedule,
  type LearnedScheduleOptions,
} from "../timing/learned_schedule.ts";
import type {
  CompletionObservation,
  PollContext,
  PollSchedule,
  UnfinishedObservation,
} from "../timing/schedule.ts";
import { delay } from "../timing/clock.ts";
import { assertFiniteAtLeast, assertFunction, show } from "../util/validate.ts";
import type { RedisConnection } from "./connection.ts";
import { Health, type RedisFallbackEvent } from "./_health.ts";
import { openConnection } from "./_open.ts";
import {
  aged,
  readCommand,
  sharedOf,
  WRITE_IF_UNCHANGED,
} from "./_learning_document.ts";

/**
 * Options of {@linkcode createRedisLearning}.
 *
 * @example
 * ```ts
 * import type { RedisLearningOptions } from "@video-status/client/redis";
 *
 * const options: RedisLearningOptions = {
 *   url: "redis://localhost:6379",
 *   key: "video-status:learning:transcode-1080p",
 *   schedule: { targetLatency: 2000 },
 * };
 * ```
 */
export interface RedisLearningOptions {
  /** The Redis server, as `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** The Redis key of one kind of job: workers with the same key learn one model. */
  key: string;
  /** The options of the learned schedule each worker plans with. @default {{}} */
  schedule?: LearnedScheduleOptions;
  /** How often a worker shares what it learned and takes what the others did, in ms. @default {5000} */
  syncInterval?: number;
  /** How long the shared model outlives its last update, in ms. @default {2592000000} (30 days) */
  keepFor?: number;
  /**
   * Longest wait for Redis's answer (and for the first connection) before
   * the worker learns alone until Redis answers again, in ms.
   * @default {1000}
   */
  commandTimeout?: number;
  /**
   * Called when Redis stops answering (`state: "local"`: the worker learns
   * alone and keeps what it learned to share later) and when it answers
   * again (`"redis"`).
   * @default {undefined}
   */
  onFallback?: (event: RedisFallbackEvent) => void;
}

/**
 * A poll schedule learned by every worker of one kind of job: pass it as
 * the client's `schedule` option, and close it when done.
 *
 * @example
 * ```ts
 * import type { RedisLearning } from "@video-status/client/redis";
 *
 * function samples(learning: RedisLearning): number {
 *   return learning.schedule.samples;
 * }
 * ```
 */
export interface RedisLearning extends PollSchedule, AsyncDisposable {
  /** The learned schedule planned with now: the shared model, and what this worker learned since it last shared. */
  readonly schedule: LearnedSchedule;
  /** Whether the last contact with Redis failed. */
  readonly degraded: boolean;
  /** Plans the next delay with {@linkcode RedisLearning.schedule}. */
  nextDelay(context: PollContext): number;
  /** Learns from a finished job, here at once and in the shared model at the next sync. */
  observe(observation: CompletionObservation): void;
  /** Learns from a wait given up, here at once and in the shared model at the next sync. */
  abandon(observation: UnfinishedObservation): void;
  /** Settles once the shared model was first loaded, or Redis could not be reached; never rejects. */
  readonly ready: Promise<void>;
  /**
   * Shares what this worker learned since it last did and takes what the
   * others did, now; resolves whether Redis took it (on `false` it is kept
   * for the next time). The worker also does it every `syncInterval`.
   */
  sync(): Promise<boolean>;
  /** Shares what is left (if Redis answers), then closes the connection. */
  close(): Promise<void>;
}

// Writes retried when other workers wrote first, within one sync.
const MAX_WRITES = 5;
const SUBJECT = "a Redis learning";

/**
 * Creates a learned schedule whose learning every worker with the same
 * `key` shares through Redis.
 *
 * Redis holds one document per key: a revision, raised by every write, and
 * the learned schedule's versioned JSON (`LearnedSchedule.toJSON()`). Each
 * worker plans with its own copy and, every `syncInterval`, adds what it
 * learned since (its jobs, aged in the shared model as one schedule ages
 * what it learned at each job) in one compare-and-set on the revision: when
 * another worker wrote first, it reads and merges again, so no worker's
 * jobs are lost or counted twice. It then plans with the shared model. A
 * worker that starts (or restarts) loads the shared model first: await
 * `ready` to start warm.
 *
 * When Redis is unreachable, slow (past `commandTimeout`) or restarted
 * empty, the worker keeps learning alone, `onFallback` says so, and what it
 * learned meanwhile is shared once Redis answers; a restarted Redis gets
 * the model again from the workers' next syncs. A document that is not a
 * learned schedule of this version (another program's, or an older
 * release's) is never overwritten: the worker learns alone and
 * `onFallback` carries the `TypeError`.
 *
 * @example Two workers, one model
 * ```ts ignore
 * import { VideoStatusClient } from "@video-status/client";
 * import { createRedisLearning } from "@video-status/client/redis";
 *
 * await using schedule = createRedisLearning({
 *   url: "redis://localhost:6379",
 *   key: "video-status:learning:transcode",
 * });
 * await schedule.ready; // warm: what the other workers learned
 * const client = new VideoStatusClient({ serverUrl: "https://video.example", schedule });
 * ```
 *
 * @example Options are checked at once
 * ```ts
 * import { createRedisLearning } from "@video-status/client/redis";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => createRedisLearning({ url: "redis://localhost", key: "" }), TypeError);
 * ```
 *
 * @param options The Redis URL and key, the schedule's options, timing and callback.
 * @returns The shared schedule, already loading the shared model.
 * @throws {TypeError} When `url` or `key` is not a non-empty string, or `onFallback` is not a function.
 * @throws {RangeError} When a number is out of range, or a schedule option is.
 */
export function createRedisLearning(
  options: RedisLearningOptions,
): RedisLearning {
  const {
    url,
    key,
    schedule = {},
    syncInterval = 5000,
    keepFor = 2_592_000_000,
    commandTimeout = 1000,
    onFallback,
  } = options ?? {};
  for (const [name, value] of [["url", url], ["key", key]]) {
    if (typeof value !== "string" || value === "") {
      throw new TypeError(
        `Cannot create ${SUBJECT} as '${name}' must be a non-empty string: current value is ${
          show(value)
        }`,
      );
    }
  }
  assertFiniteAtLeast(SUBJECT, "syncInterval", syncInterval, 1);
  assertFiniteAtLeast(SUBJECT, "keepFor", keepFor, 1);
  assertFiniteAtLeast(SUBJECT, "commandTimeout", commandTimeout, 1);
  assertFunction(SUBJECT, "onFallback", onFallback, true);
  // Checks the schedule's options now, as any LearnedSchedule would.
  const first = new LearnedSchedule(schedule);
  return new SharedSchedule(first, {
    url,
    key,
    schedule,
    syncInterval,
    keepFor,
    commandTimeout,
    onFallback,
  });
}

class SharedSchedule implements RedisLearning {
  readonly #options: Required<Omit<RedisLearningOptions, "onFallback">>;
  readonly #health: Health;
  readonly #connection: RedisConnection;
  readonly #closing = new AbortController();
  readonly #loop: Promise<void>;
  readonly ready: Promise<void>;
  #current: LearnedSchedule;
  // What this worker learned that the shared model lacks, and how many
  // jobs that is: the shared model ages by them when it takes it.
  #unshared: LearnedSchedule;
  #jobs = 0;
  // The revision the current schedule was built on.
  #revision = -1;
  #syncing: Promise<boolean> | undefined;
  #closed: Promise<void> | undefined;

  constructor(
    first: LearnedSchedule,
    options: Required<Omit<RedisLearningOptions, "onFallback">> & {
      onFallback: RedisLearningOptions["onFallback"];
    },
  ) {
    this.#options = options;
    this.#health = new Health(options.onFallback);
    this.#current = first;
    this.#unshared = this.#empty();
    const { connection, opened } = openConnection(
      options.url,
      options.commandTimeout,
      (cause) => {
        if (!this.#closing.signal.aborted) this.#health.failed(cause);
      },
      this.#closing.signal,
    );
    this.#connection = connection;
    this.ready = opened.then(() => this.sync()).then(() => {});
    this.#loop = this.ready.then(() => this.#every());
  }

  get schedule(): LearnedSchedule {
    return this.#current;
  }

  get degraded(): boolean {
    return this.#health.degraded;
  }

  nextDelay(context: PollContext): number {
    return this.#current.nextDelay(context);
  }

  observe(observation: CompletionObservation): void {
    this.#current.observe(observation);
    // Without the wait: the shared model never saw it running.
    this.#unshared.observe({
      after: observation.after,
      atMost: observation.atMost,
    });
    this.#jobs++;
  }

  abandon(observation: UnfinishedObservation): void {
    this.#current.abandon(observation);
    // The unshared model never saw this wait running (nextDelay() asks the
    // current one), so it takes the wait as new.
    this.#unshared.abandon({
      after: observation.after,
      wait: observation.wait,
    });
    this.#jobs++;
  }

  sync(): Promise<boolean> {
    if (this.#closing.signal.aborted) return Promise.resolve(false);
    this.#syncing ??= this.#sync().finally(() => this.#syncing = undefined);
    return this.#syncing;
  }

  close(): Promise<void> {
    return this.#closed ??= this.#close();
  }

  async #close(): Promise<void> {
    await this.#syncing;
    if (this.#jobs > 0 && !this.degraded) await this.sync();
    this.#closing.abort();
    await this.#connection.close();
    await this.#loop;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #empty(): LearnedSchedule {
    return new LearnedSchedule(this.#options.schedule);
  }

  async #every(): Promise<void> {
    const signal = this.#closing.signal;
    while (!signal.aborted) {
      try {
        await delay(this.#options.syncInterval, signal);
      } catch {
        return;
      }
      await this.sync();
    }
  }

  async #sync(): Promise<boolean> {
    const { key, keepFor, schedule } = this.#options;
    // Learned from now on goes to the next sync; this one takes the rest.
    const sending = this.#unshared;
    const jobs = this.#jobs;
    const before = this.#current.toJSON();
    this.#unshared = this.#empty();
    this.#jobs = 0;
    try {
      for (let attempt = 0; attempt < MAX_WRITES; attempt++) {
        const shared = sharedOf(
          await this.#connection.command(readCommand(key)),
        );
        if (jobs === 0 && shared.revision === this.#revision) {
          this.#health.reached();
          return true;
        }
        let pooled: LearnedSchedule;
        let write = jobs > 0;
        if (shared.schedule === undefined && this.#revision > 0) {
          // Redis lost the model (restarted empty): this worker's copy as
          // the sync began, which holds it and what was learned since,
          // seeds it again.
          pooled = LearnedSchedule.fromJSON(before, schedule);
          write = true;
        } else {
          pooled = shared.schedule === undefined
            ? this.#empty()
            : LearnedSchedule.fromJSON(
              aged(
                LearnedSchedule.fromJSON(shared.schedule).toJSON(),
                jobs,
                this.#current.halfLife,
              ),
              schedule,
            );
          pooled.merge(sending.toJSON());
        }
        let revision = shared.revision;
        if (write) {
          revision = Number(
            await this.#connection.run(WRITE_IF_UNCHANGED, [key], [
              shared.revision,
              JSON.stringify(pooled),
              keepFor,
            ]),
          );
          // Another worker wrote first: read and merge again.
          if (revision === 0) continue;
        }
        this.#health.reached();
        // What this worker learned during the round trips stays in view.
        pooled.merge(this.#unshared.toJSON());
        this.#current = pooled;
        this.#revision = revision;
        return true;
      }
      this.#keep(sending, jobs);
      return false;
    } catch (error) {
      this.#keep(sending, jobs);
      if (!this.#closing.signal.aborted) this.#health.failed(error);
      return false;
    }
  }

  /** Puts back what a sync could not share, before what was learned since. */
  #keep(sending: LearnedSchedule, jobs: number): void {
    sending.merge(this.#unshared.toJSON());
    this.#unshared = sending;
    this.#jobs += jobs;
  }
}
