// The shared learning as Redis keeps it: one hash per kind of job, holding
// a revision (the document's version, raised by every write) and the
// learned schedule's own versioned JSON. Writes are compare-and-set on the
// revision, in one Lua script, so that two workers that read the same
// revision cannot both write: the second reads again and merges again.

import type { LearnedScheduleJSON } from "../timing/learned_schedule.ts";
import { LuaScript } from "./connection.ts";

/** The shared document as read: its revision (0 when there is none yet) and schedule. */
export interface SharedLearning {
  revision: number;
  /** The schedule's JSON text, or undefined when nothing was shared yet. */
  schedule: string | undefined;
}

/**
 * Writes the schedule if the revision is still the one read; answers the
 * new revision, or 0 when another worker wrote first.
 * KEYS[1] the hash; ARGV: revision read, schedule JSON, time to live (ms).
 */
export const WRITE_IF_UNCHANGED = new LuaScript(`
local revision = tonumber(redis.call('HGET', KEYS[1], 'revision') or '0')
if revision ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'revision', revision + 1, 'schedule', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return revision + 1
`);

/** The command that reads the shared document. */
export function readCommand(key: string): string[] {
  return ["HMGET", key, "revision", "schedule"];
}

/** The shared document in an HMGET reply. */
export function sharedOf(reply: unknown): SharedLearning {
  const [revision, schedule] = Array.isArray(reply) ? reply : [];
  const number = Number(revision ?? 0);
  return {
    revision: Number.isSafeInteger(number) && number >= 0 ? number : 0,
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
