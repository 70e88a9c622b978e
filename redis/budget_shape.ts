// How the shared budget counts, and how a process that loses Redis paces
// itself: the numbers both the scripts and the process keep to.

import type { RedisBudgetSettings } from "./budget_options.ts";

/**
 * A little over a second: requests of different processes reach the server
 * with different delays, which a window of exactly a second would not absorb.
 */
export const WINDOW = 1010;
/**
 * The window's slices: each holds at most a tenth of the budget, so that a
 * queue that never empties goes as an even stream. The whole budget at once
 * every second (500 requests at once) reached the server spread over up to
 * 260 ms on a loaded machine, bunching with the next second's.
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
 * How long a process that was on Redis waits, from the loss, before its
 * first place on its local share. The last window may hold the whole
 * budget, sent by any process, and up to a slice's share of places granted
 * but not yet sent (they count in the slice when granted) may still go.
 * Redis let each slice of that window hold at most its share: so when the
 * default shares of all processes together hold a slice to its share,
 * starting three slices later keeps every second to the budget, provided
 * the other processes' granted places go within `LATE_SEND` of the loss (a
 * second from then holds at most nine slices of the shares, and room for a
 * tenth). The share counts this process's own sends and granted places
 * (LocalShare), whenever they go.
 * Otherwise (a share set by hand, or a budget too small to divide by the
 * processes and the slices) the share starts a whole window later.
 */
export function takeOverDelay(settings: Rates, members: number): number {
  if (settings.fallbackRequestsPerSecond !== undefined) return WINDOW;
  const share = localShare(settings, members);
  const perSlice = Math.max(1, Math.floor(Math.floor(share) / SLICES));
  const slice = Math.floor(settings.maxRequestsPerSecond / SLICES);
  const processes = members > 0 ? members : 10;
  return processes * perSlice <= slice ? TAKE_OVER : WINDOW;
}

/** Three slices: see `takeOverDelay()`. */
const TAKE_OVER = 3 * (WINDOW / SLICES);
/**
 * How late after a loss a place granted before it may still go for
 * `takeOverDelay()` to hold: 1,000 ms from then, the slices that start at
 * `TAKE_OVER` are nine at most.
 */
export const LATE_SEND = TAKE_OVER - (1000 - (SLICES - 1) * (WINDOW / SLICES));
