/**
 * Webhook fan-out through Redis: an event received by any instance reaches
 * the waits of every instance.
 *
 * @module
 */

import type { WebhookEvent, WebhookSource } from "../client/webhooks/source.ts";
import type { WebhookReceiver } from "../client/webhooks/receiver.ts";
import { ExpiringMap } from "../client/webhooks/expiring_map.ts";
import { delay, systemClock } from "../timing/clock.ts";
import {
  assertFiniteAtLeast,
  assertFunction,
  assertMethods,
  show,
} from "../util/validate.ts";
import { type Connection, openConnection } from "./_connection.ts";
import { decodeEvent, encodeEvent } from "./_event_codec.ts";
import { Health, type HealthCallbacks } from "./_health.ts";

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
 *   onDegraded: (error) => console.warn("webhook fan-out down, waits poll", error),
 * };
 * ```
 */
export interface RedisWebhookSourceOptions extends HealthCallbacks {
  /** The Redis server, as `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /**
   * The prefix of every key the fan-out uses: instances with the same prefix
   * (and Redis) share their events.
   * @default {"video-status:webhooks"}
   */
  prefix?: string;
  /**
   * This instance's webhook receiver: each event it accepts is published to
   * the others, and heard by this instance's waits even while Redis is down.
   * Without one, the instance only hears what others publish.
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

// A job's most recent events kept in Redis for a wait that starts later.
const EVENTS_PER_JOB = 16;
// How long one read of the stream waits for new events, in ms: a bound on
// how long a Redis that stopped answering without closing goes unnoticed.
const READ_BLOCK = 2000;
// Entries taken per read.
const READ_COUNT = 100;
// The wait before asking a Redis that failed again, in ms.
const RETRY_DELAY = 200;

// Publishing is one atomic step, so that two instances that received the
// same event (the sender retried, to another instance) publish it once:
// remember its id, keep it among its job's recent events, append it to the
// stream. Every key expires, so an idle fleet leaves nothing behind.
const PUBLISH = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'event', ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 1
`;

/**
 * Creates a webhook source shared through Redis by every instance of a
 * service: an event accepted by the `receiver` of any instance reaches the
 * waits for its job in all of them, once per wait.
 *
 * Events travel through a Redis stream (`<prefix>:stream`, about `maxKept`
 * entries), which each instance reads from where it stopped, so a short
 * loss of connection loses nothing; each job's recent events are also kept
 * (`<prefix>:job:<id>`, for `keepFor`), so that a wait that starts after its
 * job's callback arrived, anywhere, still hears it at once. A webhook id is
 * published once whichever instances received it, and each wait hears an
 * event once, whether from Redis or from its own receiver. Events from
 * Redis are trusted as the publishing receiver marked them (`verified`).
 *
 * Creating it never waits for Redis. While Redis is unreachable (at start,
 * killed, restarting) `degraded` is true and `onDegraded` was called:
 * waits still hear this instance's own receiver and still poll, so no
 * result is lost, only heard later. Events received meanwhile are kept
 * (at most `maxKept`) and published once Redis answers again; then
 * `onRecovered` is called and every listening wait is given its job's kept
 * events. Nothing ever waits on Redis: a slow one only delays events.
 *
 * @example Share one receiver's events with every instance
 * ```ts ignore
 * import { createWebhookReceiver, VideoStatusClient } from "@video-status/client";
 * import { createRedisWebhookSource } from "@video-status/client/redis";
 *
 * const receiver = createWebhookReceiver({ secret: Deno.env.get("WEBHOOK_SECRET") });
 * Deno.serve({ port: 8080 }, receiver.fetch);
 * await using webhooks = createRedisWebhookSource({ url: "redis://localhost:6379", receiver });
 * const client = new VideoStatusClient({ baseUrl: "https://video.example", webhooks });
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
    onDegraded,
    onRecovered,
  } = options ?? {};
  for (const [name, value] of [["url", url], ["prefix", prefix]]) {
    if (typeof value !== "string" || value === "") {
      throw new TypeError(
        `Cannot create ${subject} as '${name}' must be a non-empty string: current value is ${
          show(value)
        }`,
      );
    }
  }
  if (receiver !== undefined) {
    assertMethods(subject, "receiver", receiver, ["listen", "listenAll"]);
  }
  assertFiniteAtLeast(subject, "maxKept", maxKept, 1);
  assertFiniteAtLeast(subject, "keepFor", keepFor, 1);
  assertFunction(subject, "onDegraded", onDegraded, true);
  assertFunction(subject, "onRecovered", onRecovered, true);
  return new Fanout(url, prefix, receiver, maxKept, keepFor, {
    onDegraded,
    onRecovered,
  });
}

/** One wait's listener: its job, and how it hears an event (each once). */
interface Listening {
  readonly jobId: string;
  readonly hear: (event: WebhookEvent) => void;
}

class Fanout implements RedisWebhookSource {
  readonly #prefix: string;
  readonly #receiver: WebhookReceiver | undefined;
  readonly #maxKept: number;
  readonly #keepFor: number;
  readonly #health: Health;
  readonly #commands: Connection;
  // Reading blocks its connection, so it has one of its own.
  readonly #reader: Connection;
  readonly #closing = new AbortController();
  readonly #listening = new Map<string, Set<Listening>>();
  readonly #outbox: WebhookEvent[] = [];
  readonly #stopReceiver: (() => void) | undefined;
  readonly #reading: Promise<void>;

  constructor(
    url: string,
    prefix: string,
    receiver: WebhookReceiver | undefined,
    maxKept: number,
    keepFor: number,
    callbacks: HealthCallbacks,
  ) {
    this.#prefix = prefix;
    this.#receiver = receiver;
    this.#maxKept = maxKept;
    this.#keepFor = keepFor;
    this.#health = new Health(callbacks);
    // Connection errors show as failed commands, which the loops handle.
    const quiet = () => {};
    this.#commands = openConnection(url, quiet);
    this.#reader = openConnection(url, quiet);
    this.#stopReceiver = receiver?.listenAll((event) => this.#publish(event));
    this.#reading = this.#read();
  }

  get degraded(): boolean {
    return this.#health.degraded;
  }

  listen(jobId: string, listener: (event: WebhookEvent) => void): () => void {
    const heard = new ExpiringMap<string, true>(
      this.#maxKept,
      this.#keepFor,
      systemClock,
    );
    const listening: Listening = {
      jobId,
      hear: (event) => {
        // Apart for verified and unverified events, as a wait keeps them.
        const key = `${event.verified ? "v" : "u"}:${event.id}`;
        if (heard.get(key) !== undefined) return;
        heard.set(key, true);
        listener(event);
      },
    };
    let set = this.#listening.get(jobId);
    if (set === undefined) this.#listening.set(jobId, set = new Set());
    set.add(listening);
    const stopLocal = this.#receiver?.listen(jobId, listening.hear);
    const stop = () => {
      stopLocal?.();
      set.delete(listening);
      if (set.size === 0 && this.#listening.get(jobId) === set) {
        this.#listening.delete(jobId);
      }
    };
    void this.#replay([listening]);
    return stop;
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    this.#stopReceiver?.();
    this.#commands.close();
    this.#reader.close();
    await this.#reading;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #key(kind: "seen" | "job", id: string): string {
    return `${this.#prefix}:${kind}:${id}`;
  }

  get #stream(): string {
    return `${this.#prefix}:stream`;
  }

  /**
   * Publishes an event now (commands on one connection keep their order),
   * or, while earlier ones wait for Redis, queues it behind them.
   */
  #publish(event: WebhookEvent): void {
    if (this.#closing.signal.aborted) return;
    if (this.#outbox.length > 0) return this.#keep([event]);
    void this.#send([event]);
  }

  /** Publishes `events` in one round trip; those that fail are kept, in order. */
  async #send(events: WebhookEvent[]): Promise<void> {
    const outcomes = await Promise.allSettled(
      events.map((event) => this.#commands.send(this.#publishCommand(event))),
    );
    if (this.#closing.signal.aborted) return;
    const failed = events.filter((_, i) => outcomes[i].status === "rejected");
    if (failed.length === 0) return;
    this.#keep(failed);
    const first = outcomes.find((o) => o.status === "rejected");
    this.#health.failed((first as PromiseRejectedResult).reason);
  }

  /** Keeps events to publish once Redis answers, at most `maxKept` (the oldest dropped). */
  #keep(events: WebhookEvent[]): void {
    this.#outbox.push(...events);
    this.#outbox.splice(0, Math.max(0, this.#outbox.length - this.#maxKept));
  }

  #publishCommand(event: WebhookEvent): string[] {
    return [
      "EVAL",
      PUBLISH,
      "3",
      this.#key("seen", `${event.verified ? "v" : "u"}:${event.id}`),
      this.#key("job", event.jobId),
      this.#stream,
      encodeEvent(event),
      String(this.#keepFor),
      String(EVENTS_PER_JOB),
      String(this.#maxKept),
    ];
  }

  /** Gives each listener the events Redis keeps for its job. */
  async #replay(targets: Iterable<Listening>): Promise<void> {
    for (const listening of targets) {
      let entries: unknown;
      try {
        entries = await this.#commands.send([
          "LRANGE",
          this.#key("job", listening.jobId),
          "0",
          "-1",
        ]);
      } catch (error) {
        // Replayed again once Redis answers.
        if (!this.#closing.signal.aborted) this.#health.failed(error);
        return;
      }
      if (!this.#listening.get(listening.jobId)?.has(listening)) continue;
      for (const entry of Array.isArray(entries) ? entries : []) {
        const event = decodeEvent(entry);
        if (event?.jobId === listening.jobId) listening.hear(event);
      }
    }
  }

  /** Redis answers (first contact, or again): publish what waited, replay for every wait. */
  async #reached(): Promise<void> {
    if (!this.#health.reached()) return;
    await this.#send(this.#outbox.splice(0));
    await this.#replay(
      [...this.#listening.values()].flatMap((set) => [...set]),
    );
  }

  async #read(): Promise<void> {
    const signal = this.#closing.signal;
    let lastId: string | undefined;
    // Whether the last command on the reader succeeded: at first and after a
    // failure, cheap commands tell that Redis answers before the blocking
    // read.
    let contact = false;
    while (!signal.aborted) {
      try {
        if (!contact) {
          // Both connections, so that a recovery is not declared while the
          // one that publishes is still reconnecting.
          await Promise.all([
            this.#commands.send(["PING"]),
            this.#reader.send(["PING"]),
          ]);
          lastId ??= await this.#tailId();
          contact = true;
        }
        await this.#reached();
        const reply = await this.#reader.send([
          "XREAD",
          "COUNT",
          String(READ_COUNT),
          "BLOCK",
          String(READ_BLOCK),
          "STREAMS",
          this.#stream,
          lastId,
        ]);
        for (const [id, event] of entriesOf(readEntries(reply))) {
          lastId = id;
          if (event !== undefined) this.#dispatch(event);
        }
      } catch (error) {
        if (signal.aborted) break;
        contact = false;
        this.#health.failed(error);
        await delay(RETRY_DELAY, signal).catch(() => {});
      }
    }
  }

  /** The id of the stream's newest entry: reading starts after it. */
  async #tailId(): Promise<string> {
    const reply = await this.#reader.send([
      "XREVRANGE",
      this.#stream,
      "+",
      "-",
      "COUNT",
      "1",
    ]);
    return entriesOf(reply)[0]?.[0] ?? "0-0";
  }

  #dispatch(event: WebhookEvent): void {
    for (const listening of [...this.#listening.get(event.jobId) ?? []]) {
      try {
        listening.hear(event);
      } catch {
        // A wait's listener that throws must not stop the others, nor the
        // reading: its own wait owns that error.
      }
    }
  }
}

/** The entries of the one stream an XREAD reply holds, or none. */
function readEntries(reply: unknown): unknown {
  // A map from the stream's name (RESP3: a Map or an object), or
  // [[name, entries]] (RESP2), or null when the read timed out.
  if (reply instanceof Map) return [...reply.values()][0];
  if (Array.isArray(reply)) return Array.isArray(reply[0]) ? reply[0][1] : [];
  if (typeof reply === "object" && reply !== null) {
    return Object.values(reply)[0];
  }
  return [];
}

/** The `[id, event]` pairs of stream entries, an event `undefined` where it is not one. */
function entriesOf(
  entries: unknown,
): Array<[string, WebhookEvent | undefined]> {
  if (!Array.isArray(entries)) return [];
  const pairs: Array<[string, WebhookEvent | undefined]> = [];
  for (const entry of entries) {
    if (!Array.isArray(entry) || typeof entry[0] !== "string") continue;
    const fields = Array.isArray(entry[1]) ? entry[1] : [];
    pairs.push([entry[0], decodeEvent(fields[1])]);
  }
  return pairs;
}
