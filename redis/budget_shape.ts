// How the shared budget counts, and how a process that loses Redis paces
// itself: the numbers both the scripts and the process keep to.

import type { RedisBudgetSettings } from "./budget_options.ts";

/**
 * A little over a second: requests of different processes reach the server
 * with different delays, which a window of exactly a second would not
 * absorb. 20 ms: from `fetch` to the server took 8–20 ms at p99 in
 * the benchmark, and a full queue that used the whole budget put 515
 * requests into one second at the server with 10 ms.
 */
export const WINDOW = 1020;
/**
 * The window's slices: each hands out at most a tenth of the budget, so
 * that a queue that never empties goes as an even stream. The whole budget
 * at once every second (500 requests at once) reached the server spread
 * over up to 260 ms on a loaded machine, bunching with the next second's.
 */
export const SLICES = 10;
/** How the Redis budget counts, for an in-memory budget to count alike. */
export const SHARED_SHAPE = { window: WINDOW, slices: SLICES } as const;
/**
 * A place handed out but neither sent nor given back is taken back after
 * this long (its process died between the two).
 */
export const HOLD = 10_000;
/** How long a process counts as alive after it last asked Redis. */
export const LEASE = 5000;
/** A slice of the window, in whole ms as the scripts count it. */
export const SLICE = Math.ceil(WINDOW / SLICES);
/**
 * How often a process asks Redis at least, while it waits or used the
 * budget within `LEASE`, even with nothing to queue: so that what it knows
 * of the window when Redis goes is under a slice old (half a slice, and the
 * time a script takes), and Redis may have handed out at most a slice's
 * share since (see freeAtLoss()). A process idle for longer asks no more: it
 * takes over on the conservative rule, its view being old.
 */
export const HEARTBEAT = Math.floor(SLICE / 2);

/** What Redis told a process of its window when it last asked. */
export interface WindowView {
  /** The places the window held. */
  count: number;
  /**
   * How many of them leave the window in each of the next slices after the
   * script ran (its sends; a held place counts until it is told).
   */
  leaving: readonly number[];
  /** When the process asked, and when it had the answer (its clock, ms). */
  asked: number;
  answered: number;
}

/** The view of a process that Redis never answered: nothing free. */
export const UNSEEN: WindowView = {
  count: Infinity,
  leaving: [],
  asked: -Infinity,
  answered: -Infinity,
};

type Rates = Pick<
  RedisBudgetSettings,
  "maxRequestsPerSecond" | "fallbackRequestsPerSecond"
>;

/**
 * The rate a process keeps to without Redis: the one set, or the budget
 * divided by the processes Redis last counted (a tenth if it never
 * answered).
 */
export function localShare(settings: Rates, members: number): number {
  return settings.fallbackRequestsPerSecond ??
    settings.maxRequestsPerSecond / (members > 0 ? members : 10);
}

/**
 * How many places a process that loses Redis may take at once beyond its
 * own (see local_share.ts), at `now` (its clock): its part, among the
 * `members` processes, of those free in Redis's window then. The window
 * then holds at most what `view` counted, less those that left since (the
 * slices of `leaving` wholly over by Redis's clock, which stood at the
 * script no later than the answer), plus what Redis may have handed out
 * since (the script ran no earlier than the ask; the slices count grants,
 * a slice's share in any slice): one slice's share while the view is under
 * a slice old, as the heartbeat keeps it, and nothing once it may be full.
 */
export function freeAtLoss(
  capacity: number,
  members: number,
  view: WindowView,
  now: number,
): number {
  const perSlice = capacity > 1
    ? Math.max(1, Math.floor(capacity / SLICES))
    : capacity;
  const over = Math.floor((now - view.answered) / SLICE);
  const left = view.leaving.slice(0, over).reduce((sum, n) => sum + n, 0);
  const granted = perSlice * (Math.floor((now - view.asked) / SLICE) + 1);
  const free = capacity - (view.count - left) - granted;
  return Math.max(0, Math.floor(free / (members > 0 ? members : 10)));
}
