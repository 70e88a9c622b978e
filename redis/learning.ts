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
  FirstDelayContext,
  PollContext,
  PollSchedule,
  UnfinishedObservation,
} from "../timing/schedule.ts";
import { assertFiniteAtLeast, assertFunction } from "../util/validate.ts";
import type { RedisFallbackEvent } from "./_health.ts";
import { checkName, checkRedisUrl } from "./_options.ts";
import { SharedSchedule } from "./_shared_schedule.ts";

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
  /** Plans the delay before a wait's first request with {@linkcode RedisLearning.schedule}. */
  firstDelay(context: FirstDelayContext): number;
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
 * jobs are lost or counted twice. A write whose answer does not come (Redis
 * slow, connection lost) is settled at the next sync before its jobs are
 * sent again: Redis keeps whether it was applied (`<key>:write:<token>`,
 * for an hour at most), so that a write applied late is not counted twice
 * and one never applied is not lost. It then plans with the shared model. A
 * worker that starts (or restarts) loads the shared model first: await
 * `ready` to start warm.
 *
 * When Redis is unreachable, slow (past `commandTimeout`) or restarted
 * empty, the worker keeps learning alone, `onFallback` says so, and what it
 * learned meanwhile is shared once Redis answers; a restarted Redis gets
 * the model again from the workers' next syncs. A document that is not a
 * learned schedule of this version (another program's, or an older
 * release's), or a key holding anything else (another program's hash, a
 * revision that is not a count, another type), is never overwritten: the
 * worker learns alone and `onFallback` carries the error (a `TypeError`,
 * or Redis's `WRONGTYPE`).
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
  checkRedisUrl(SUBJECT, url);
  checkName(SUBJECT, "key", key);
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
