// The shared learning as Redis keeps it: one hash per kind of job, holding
// a revision (the document's version, raised by every write) and the
// learned schedule's own versioned JSON. Writes are compare-and-set on the
// revision, in one Lua script, so that two workers that read the same
// revision cannot both write: the second reads again and merges again.

import {
  LearnedSchedule,
  type LearnedScheduleJSON,
  type LearnedScheduleOptions,
} from "../timing/learned_schedule.ts";
import { show } from "../util/validate.ts";
import { LuaScript } from "./connection.ts";

/** The shared document as read: its revision (0 when there is none yet) and schedule. */
export interface SharedLearning {
  revision: number;
  /** The schedule's JSON text, or undefined when nothing was shared yet. */
  schedule: string | undefined;
}

/**
 * Writes the schedule if the revision is still the one read; answers the
 * new revision, 0 when another worker wrote first, -1 when this write was
 * given up already (see {@linkcode SETTLE}), -2 when the key holds another
 * program's hash. The write also records its token as applied, so that a
 * worker that did not hear the answer (Redis slow, connection lost) can
 * tell whether its jobs are in the model before it sends them again.
 * KEYS[1] the hash, KEYS[2] the write's token; ARGV: revision read,
 * schedule JSON, time to live (ms), the token's time to live (ms).
 */
export const WRITE_IF_UNCHANGED = new LuaScript(`
local current = redis.call('HGET', KEYS[1], 'revision')
if not current and redis.call('EXISTS', KEYS[1]) == 1 then return -2 end
if (current or '0') ~= ARGV[1] then return 0 end
if not redis.call('SET', KEYS[2], 'applied', 'NX', 'PX', ARGV[4]) then
  return -1
end
local revision = tonumber(ARGV[1]) + 1
redis.call('HSET', KEYS[1], 'revision', revision, 'schedule', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return revision
`);

/**
 * Settles a write whose answer was not heard: answers "applied" when it
 * was, else marks it given up (so that, arriving late, it changes nothing)
 * and answers "abandoned". KEYS[1] the write's token; ARGV[1] its time to
 * live (ms).
 */
export const SETTLE = new LuaScript(`
local outcome = redis.call('GET', KEYS[1])
if outcome then return outcome end
redis.call('SET', KEYS[1], 'abandoned', 'PX', ARGV[1])
return 'abandoned'
`);

// How long Redis remembers whether a write was applied, in ms (at most the
// model's own life): longer than a worker plausibly stays cut off from a
// Redis that kept its data, and few keys (one per write) at a time.
export const WRITE_MEMORY = 3_600_000;

/**
 * The revision a write answered: the new one, or 0 when another worker
 * wrote first (or the write was given up).
 *
 * @throws {TypeError} When the key holds another program's hash.
 */
export function writtenRevision(reply: unknown, key: string): number {
  const revision = Number(reply);
  if (revision === -2) {
    throw new TypeError(
      `Cannot share a learning under the key ${
        show(key)
      } as it holds a hash without a 'revision', another program's`,
    );
  }
  return Math.max(0, revision);
}

/**
 * The shared model with what one worker learned since it last shared: the
 * model aged by the worker's `jobs` first, as one schedule ages what it
 * learned at each new job.
 *
 * @throws {TypeError} When `shared` is not a learned schedule of this version.
 */
export function pool(
  shared: string | undefined,
  sending: LearnedSchedule,
  jobs: number,
  options: LearnedScheduleOptions,
): LearnedSchedule {
  const pooled = shared === undefined
    ? new LearnedSchedule(options)
    : LearnedSchedule.fromJSON(
      aged(LearnedSchedule.fromJSON(shared).toJSON(), jobs, sending.halfLife),
      options,
    );
  pooled.merge(sending.toJSON());
  return pooled;
}

/** The key of one write's token, beside the document's. */
export function writeKey(key: string, token: string): string {
  return `${key}:write:${token}`;
}

/** The command that reads the shared document. */
export function readCommand(key: string): string[] {
  return ["HMGET", key, "revision", "schedule"];
}

/**
 * The shared document in an HMGET reply.
 *
 * @throws {TypeError} When the revision is not a count: the key is not a
 * shared learning's, and writing into it would never succeed, or clobber it.
 */
export function sharedOf(reply: unknown, key: string): SharedLearning {
  const [revision, schedule] = Array.isArray(reply) ? reply : [];
  if (
    revision !== null && revision !== undefined &&
    !(typeof revision === "string" && /^(0|[1-9][0-9]{0,14})$/.test(revision))
  ) {
    throw new TypeError(
      `Cannot share a learning under the key ${
        show(key)
      } as its 'revision' must be a non-negative integer: current value is ${
        show(revision)
      }`,
    );
  }
  return {
    revision: Number(revision ?? 0),
    schedule: typeof schedule === "string" ? schedule : undefined,
  };
}

/**
 * The document aged by `ticks` job starts seen elsewhere, as a schedule
 * ages what it learned at each new wait: every recency weight (and the
 * weighted sums of log-durations) times 2^(-ticks / halfLife). The plain
 * count of observations is not weighted and stays.
 */
export function aged(
  document: LearnedScheduleJSON,
  ticks: number,
  halfLife: number,
): LearnedScheduleJSON {
  const factor = 2 ** (-ticks / halfLife);
  const scale = (bins: LearnedScheduleJSON["completed"]) => ({
    from: bins.from,
    weights: bins.weights.map((weight) => weight * factor),
  });
  return {
    ...document,
    logSum: document.logSum * factor,
    logSquareSum: document.logSquareSum * factor,
    completed: scale(document.completed),
    unfinished: scale(document.unfinished),
  };
}
