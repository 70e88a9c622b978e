/**
 * The Redis budget's public face: the {@linkcode RedisBudget} interface and
 * `createRedisBudget()`; the workings are in `shared_budget.ts`.
 *
 * @module
 */

import type { RequestBudget } from "../client/request_budget.ts";
import { resolveRedisBudgetOptions } from "./budget_options.ts";
import type { RedisBudgetOptions } from "./budget_options.ts";
import { SharedBudget } from "./shared_budget.ts";

/**
 * A request budget shared through Redis: see {@linkcode createRedisBudget}.
 */
export interface RedisBudget extends RequestBudget, AsyncDisposable {
  /**
   * `"redis"` while places come from Redis; `"local"` while this process
   * paces itself on its share (Redis away, or just back); `"connecting"`
   * before Redis first answered; `"closed"`.
   */
  readonly state: "connecting" | "redis" | "local" | "closed";
  /**
   * Closes the connections. Waits still queued reject with an `Error`;
   * tickets already handed out may still be sent and done.
   */
  close(): Promise<void>;
}

/**
 * Creates a request budget that every process naming the same Redis and
 * `key` shares: with any number of processes, no window of one second holds
 * more than `maxRequestsPerSecond` requests, counted by Redis's clock in a
 * Lua script; waiters are served in the order they came, across processes;
 * a queued wait still ends at its timeout or abort. Pass it as the client's
 * `budget` option. It opens its own connections to Redis at once and keeps
 * them until `close()` (or `await using`).
 *
 * Without Redis it never hangs: while Redis is unreachable, lost or slower
 * than `commandTimeout`, the process paces itself on
 * `fallbackRequestsPerSecond` and calls `onFallback`; once Redis answers
 * again it first tells Redis what it sent meanwhile, and every process
 * paces itself for a second more, so that Redis hands out no place those
 * sends still take.
 *
 * @example Four workers, one API key, 500 requests a second in all
 * ```ts ignore
 * import { VideoStatusClient } from "@video-status/client";
 * import { createRedisBudget } from "@video-status/client/redis";
 *
 * await using budget = createRedisBudget({
 *   url: "redis://127.0.0.1:6379",
 *   key: "video-status:budget:my-api-key",
 *   maxRequestsPerSecond: 500,
 *   onFallback: ({ state, requestsPerSecond }) =>
 *     console.warn(`request budget: ${state}, ${requestsPerSecond}/s`),
 * });
 * const client = new VideoStatusClient({ serverUrl: "https://api.example.com", budget });
 * const final = await client.waitForJob("job-id");
 * ```
 *
 * @param options Where Redis is, the key, the budget and the fallback.
 * @returns The budget, connecting.
 * @throws {TypeError} When `url` is not a redis URL, `key` is empty or `onFallback` is not a function.
 * @throws {RangeError} When a number is out of range.
 */
export function createRedisBudget(options: RedisBudgetOptions): RedisBudget {
  return new SharedBudget(resolveRedisBudgetOptions(options));
}
