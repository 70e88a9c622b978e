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
/**
 * How long a process counts as alive after it last asked Redis; while it
 * waits it asks at least every `MAX_PUMP_INTERVAL`.
 */
export const LEASE = 5000;
export const MAX_PUMP_INTERVAL = 1000;

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
 * own (see local_share.ts): its part, among the `members` processes, of
 * those the window had free when it last asked Redis, where it held
 * `count`, `elapsed` ms before the loss, less all Redis may have handed out
 * since (a slice's share per slice begun).
 */
export function freeAtLoss(
  capacity: number,
  members: number,
  count: number,
  elapsed: number,
): number {
  const perSlice = capacity > 1
    ? Math.max(1, Math.floor(capacity / SLICES))
    : capacity;
  const slice = Math.ceil(WINDOW / SLICES);
  const free = capacity - count - perSlice * (Math.floor(elapsed / slice) + 1);
  return Math.max(0, Math.floor(free / (members > 0 ? members : 10)));
}
