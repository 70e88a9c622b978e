/**
 * Webhook fan-out through Redis: an event received by any instance reaches
 * the waits of every instance.
 *
 * @module
 */

import type { WebhookSource } from "../client/webhooks/source.ts";
import type { WebhookReceiver } from "../client/webhooks/receiver.ts";
import {
  assertFiniteAtLeast,
  assertFunction,
  assertMethods,
} from "../util/validate.ts";
import { Fanout } from "./_fanout.ts";
import type { RedisFallbackEvent } from "./_health.ts";
import { checkName, checkRedisUrl } from "./_options.ts";

/**
 * Options of {@linkcode createRedisWebhookSource}.
 *
 * @example
 * ```ts
 * import type { RedisWebhookSourceOptions } from "@video-status/client/redis";
 *
 * const options: RedisWebhookSourceOptions = {
 *   url: "redis://localhost:6379",
 *   prefix: "transcodes:webhooks",
 *   onFallback: ({ state, cause }) => console.warn(`webhook fan-out: ${state}`, cause ?? ""),
 * };
 * ```
 */
export interface RedisWebhookSourceOptions {
  /** The Redis server, as `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /**
   * The prefix of every key the fan-out uses: instances with the same prefix
   * (and Redis) share their events.
   * @default {"video-status:webhooks"}
   */
  prefix?: string;
  /**
   * This instance's webhook receiver: each verified event it accepts is
   * published to the others, and heard by this instance's waits even while
   * Redis is down. An unverified event (a receiver without a secret) is a
   * hint that only this instance's waits hear. Without a receiver, the
   * instance only hears what others publish.
   * @default {undefined}
   */
  receiver?: WebhookReceiver;
  /**
   * About how many recent events the shared stream holds, and the most
   * events one instance keeps to publish while Redis is down (the oldest
   * is dropped first).
   * @default {1000}
   */
  maxKept?: number;
  /**
   * How long Redis keeps a job's events for a wait that starts later, and
   * remembers a webhook id to drop the same event received by two
   * instances, in ms.
   * @default {600000}
   */
  keepFor?: number;
  /**
   * Called when Redis stops answering (`state: "local"`: waits hear only
   * this instance's receiver, and poll) and when it answers again
   * (`"redis"`).
   * @default {undefined}
   */
  onFallback?: (event: RedisFallbackEvent) => void;
}

/**
 * A {@linkcode WebhookSource} fed through Redis, to pass as the client's
 * `webhooks` option; close it when done.
 *
 * @example
 * ```ts
 * import type { RedisWebhookSource } from "@video-status/client/redis";
 *
 * function stop(source: RedisWebhookSource): Promise<void> {
 *   return source.close();
 * }
 * ```
 */
export interface RedisWebhookSource extends WebhookSource, AsyncDisposable {
  /** Whether the last contact with Redis failed: waits then hear only this instance's receiver, and poll. */
  readonly degraded: boolean;
  /** Stops reading and publishing and closes the connections at once. */
  close(): Promise<void>;
}

/**
 * Creates a webhook source shared through Redis by every instance of a
 * service: an event accepted by the `receiver` of any instance reaches the
 * waits for its job in all of them, once per wait.
 *
 * Events travel through a Redis stream (`<prefix>:stream`, about `maxKept`
 * entries, numbered by `<prefix>:stream:count`), which each instance reads
 * from where it stopped; each job's recent events are also kept
 * (`<prefix>:job:<id>`, 16 of them, for `keepFor`), so that a wait that
 * starts after its job's callback arrived, anywhere, still hears it at
 * once, and so that an instance that lost its connection, or fell behind a
 * burst larger than the stream holds (a gap in the numbers), gives every
 * listening wait its job's kept events. A webhook id is
 * published once whichever instances received it, and each wait hears an
 * event once, whether from Redis or from its own receiver. Only verified
 * events are published, and only verified ones are read back: a receiver
 * without a secret gives hints that stay with its own instance's waits, so
 * that an unsigned request to one instance cannot wake a whole fleet.
 *
 * Creating it, listening and receiving never wait for Redis. While Redis
 * is unreachable (at start, killed, restarting) or answers a command more
 * than a second late, `degraded` is true and `onFallback` was called with
 * `state: "local"`: waits still hear this instance's own receiver and
 * still poll (every `webhookSafetyDelay`), so no result is lost, only heard
 * later. Events received meanwhile are kept (at most `maxKept`) and
 * published once Redis answers again; then `onFallback` is called with
 * `state: "redis"` and every listening wait is given its job's kept events.
 *
 * @example Share one receiver's events with every instance
 * ```ts ignore
 * import { createWebhookReceiver, VideoStatusClient } from "@video-status/client";
 * import { createRedisWebhookSource } from "@video-status/client/redis";
 *
 * const receiver = createWebhookReceiver({ secret: Deno.env.get("WEBHOOK_SECRET") });
 * Deno.serve({ port: 8080 }, receiver.fetch);
 * await using webhooks = createRedisWebhookSource({ url: "redis://localhost:6379", receiver });
 * const client = new VideoStatusClient({ serverUrl: "https://video.example", webhooks });
 * ```
 *
 * @example Options are checked at once
 * ```ts
 * import { createRedisWebhookSource } from "@video-status/client/redis";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => createRedisWebhookSource({ url: "redis://localhost", keepFor: 0 }), RangeError);
 * ```
 *
 * @param options The Redis URL, the key prefix, this instance's receiver, bounds and callbacks.
 * @returns The source, already connecting.
 * @throws {TypeError} When `url` or `prefix` is not a string, `receiver` is not a receiver, or a callback is not a function.
 * @throws {RangeError} When `maxKept` or `keepFor` is below 1 or not finite.
 */
export function createRedisWebhookSource(
  options: RedisWebhookSourceOptions,
): RedisWebhookSource {
  const subject = "the Redis webhook source";
  const {
    url,
    prefix = "video-status:webhooks",
    receiver,
    maxKept = 1000,
    keepFor = 600_000,
    onFallback,
  } = options ?? {};
  checkRedisUrl(subject, url);
  checkName(subject, "prefix", prefix);
  if (receiver !== undefined) {
    assertMethods(subject, "receiver", receiver, ["listen", "listenAll"]);
  }
  assertFiniteAtLeast(subject, "maxKept", maxKept, 1);
  assertFiniteAtLeast(subject, "keepFor", keepFor, 1);
  assertFunction(subject, "onFallback", onFallback, true);
  return new Fanout({ url, prefix, receiver, maxKept, keepFor, onFallback });
}
