// The options of createRedisBudget(), their defaults and their checks.

import {
  assertFiniteAtLeast,
  assertFunction,
  assertOptionsObject,
  show,
} from "../util/validate.ts";
import { checkName, checkRedisUrl } from "./_options.ts";

/**
 * What `onFallback` is told when a {@linkcode RedisBudget} changes where its
 * places come from.
 *
 * @example
 * ```ts
 * import type { RedisBudgetEvent } from "@video-status/client/redis";
 *
 * const event: RedisBudgetEvent = { state: "local", requestsPerSecond: 125, cause: new Error("ECONNREFUSED") };
 * ```
 */
export interface RedisBudgetEvent {
  /**
   * `"local"`: this process now paces itself on `requestsPerSecond`, its
   * share; `"redis"`: places come from Redis again.
   */
  state: "local" | "redis";
  /** The rate this process now keeps to (the whole budget on `"redis"`). */
  requestsPerSecond: number;
  /** Why it paces itself: the connection's error, a timeout, or the quiet after another process came back. */
  cause?: unknown;
}

/**
 * Options of `createRedisBudget()`. Times are in milliseconds.
 *
 * @example
 * ```ts
 * import type { RedisBudgetOptions } from "@video-status/client/redis";
 *
 * const options: RedisBudgetOptions = {
 *   url: "redis://127.0.0.1:6379",
 *   key: "video-status:budget:my-api-key",
 *   maxRequestsPerSecond: 500,
 * };
 * ```
 */
export interface RedisBudgetOptions {
  /** The Redis server, as a `redis://` or `rediss://` URL (with credentials if needed). */
  url: string | URL;
  /** The key every process of one budget names; the budget's Redis keys start with it. */
  key: string;
  /**
   * Requests per second of every process together: no window of one second
   * holds more. Whole requests (a fraction is rounded down), at least 1.
   */
  maxRequestsPerSecond: number;
  /**
   * The rate this process keeps to while it paces itself (Redis away, or
   * just back).
   *
   * @default {maxRequestsPerSecond divided by the processes that shared the key in the last minute when Redis last answered; a tenth of it if Redis never answered}
   */
  fallbackRequestsPerSecond?: number;
  /** Called when the process starts or stops pacing itself; see {@linkcode RedisBudgetEvent}. */
  onFallback?: (event: RedisBudgetEvent) => void;
  /**
   * Longest wait for Redis's answer (and for the first connection) before
   * the process paces itself.
   *
   * @default {1000}
   */
  commandTimeout?: number;
  /**
   * Longest pause between attempts to reach Redis again.
   *
   * @default {500}
   */
  maxReconnectDelay?: number;
}

/** The options after defaults and checks. */
export interface RedisBudgetSettings {
  url: string;
  key: string;
  maxRequestsPerSecond: number;
  /** Places in any window: the whole requests of `maxRequestsPerSecond`. */
  capacity: number;
  fallbackRequestsPerSecond: number | undefined;
  onFallback: ((event: RedisBudgetEvent) => void) | undefined;
  commandTimeout: number;
  maxReconnectDelay: number;
}

const SUBJECT = "a Redis budget";

/** Applies the defaults and checks every option, throwing TypeError or RangeError. */
export function resolveRedisBudgetOptions(
  options: RedisBudgetOptions,
): RedisBudgetSettings {
  assertOptionsObject(SUBJECT, options);
  const {
    url,
    key,
    maxRequestsPerSecond,
    fallbackRequestsPerSecond,
    onFallback,
    commandTimeout = 1000,
    maxReconnectDelay = 500,
  } = options;
  const href = checkRedisUrl(SUBJECT, url);
  checkName(SUBJECT, "key", key);
  assertFiniteAtLeast(SUBJECT, "maxRequestsPerSecond", maxRequestsPerSecond, 1);
  if (fallbackRequestsPerSecond !== undefined) {
    if (
      typeof fallbackRequestsPerSecond !== "number" ||
      !(fallbackRequestsPerSecond > 0) ||
      fallbackRequestsPerSecond > maxRequestsPerSecond
    ) {
      throw new RangeError(
        `Cannot create ${SUBJECT} as 'fallbackRequestsPerSecond' must be a positive number up to 'maxRequestsPerSecond' (${maxRequestsPerSecond}): current value is ${
          show(fallbackRequestsPerSecond)
        }`,
      );
    }
  }
  assertFunction(SUBJECT, "onFallback", onFallback, true);
  assertFiniteAtLeast(SUBJECT, "commandTimeout", commandTimeout, 1);
  assertFiniteAtLeast(SUBJECT, "maxReconnectDelay", maxReconnectDelay, 1);
  return {
    url: href,
    key,
    maxRequestsPerSecond,
    capacity: Math.floor(maxRequestsPerSecond),
    fallbackRequestsPerSecond,
    onFallback,
    commandTimeout,
    maxReconnectDelay,
  };
}
