// The working of the Redis webhook source (see webhooks.ts for what it
// promises): publishing this instance's events, reading everyone's from
// the stream, replaying a job's kept events to a wait that starts, and
// keeping it all going while Redis comes and goes.

import type { WebhookEvent } from "../client/webhooks/source.ts";
import type { WebhookReceiver } from "../client/webhooks/receiver.ts";
import { ExpiringMap } from "../client/webhooks/expiring_map.ts";
import { delay, systemClock } from "../timing/clock.ts";
import { LuaScript, type RedisConnection } from "./connection.ts";
import { openConnection } from "./_open.ts";
import {
  decodeEvent,
  encodeEvent,
  entriesOf,
  readEntries,
} from "./_event_codec.ts";
import { Health, type RedisFallbackEvent } from "./_health.ts";

/** The settings of a {@linkcode Fanout}, checked. */
export interface FanoutSettings {
  url: string;
  prefix: string;
  receiver: WebhookReceiver | undefined;
  maxKept: number;
  keepFor: number;
  onFallback: ((event: RedisFallbackEvent) => void) | undefined;
}

/** One wait's listener: its job, and how it hears an event (each once). */
interface Listening {
  readonly jobId: string;
  readonly hear: (event: WebhookEvent) => void;
}

// A job's most recent events kept in Redis for a wait that starts later.
const EVENTS_PER_JOB = 16;
// How long one read of the stream waits for new events, in ms.
const READ_BLOCK = 2000;
// Entries taken per read.
const READ_COUNT = 100;
// The longest wait for a reply beyond a read's own block, in ms: a Redis
// slower than this counts as down.
const COMMAND_TIMEOUT = 1000;
// The wait before asking a Redis that failed again, in ms.
const RETRY_DELAY = 200;

// Publishing is one atomic step, so that two instances that received the
// same event (the sender retried, to another instance) publish it once:
// remember its id, keep it among its job's recent events, append it to the
// stream, numbered (so that a reader tells when entries were trimmed
// before it read them). Every key expires, so an idle fleet leaves nothing
// behind.
const PUBLISH = new LuaScript(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
local number = redis.call('INCR', KEYS[4])
redis.call('PEXPIRE', KEYS[4], ARGV[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'event', ARGV[1],
  'n', number)
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 1
`);

/** The key of a webhook id as a wait tells events apart: verified and unverified separately. */
function idKey(event: WebhookEvent): string {
  return `${event.verified ? "v" : "u"}:${event.id}`;
}

/** A Redis webhook source at work. */
export class Fanout {
  readonly #settings: FanoutSettings;
  readonly #health: Health;
  readonly #commands: RedisConnection;
  // Reading blocks its connection, so it has one of its own.
  readonly #reader: RedisConnection;
  readonly #closing = new AbortController();
  readonly #listening = new Map<string, Set<Listening>>();
  readonly #outbox: WebhookEvent[] = [];
  readonly #stopReceiver: (() => void) | undefined;
  readonly #reading: Promise<void>;
  // Until Redis is first reached: events wait to be published, and the
  // first contact replays for every wait.
  #starting = true;
  #closed: Promise<void> | undefined;

  constructor(settings: FanoutSettings) {
    this.#settings = settings;
    this.#health = new Health(settings.onFallback);
    // A lost connection is told at once, not at the next command.
    const onLost = (cause: unknown) => {
      if (!this.#closing.signal.aborted) this.#health.failed(cause);
    };
    const signal = this.#closing.signal;
    const commands = openConnection(
      settings.url,
      COMMAND_TIMEOUT,
      onLost,
      signal,
    );
    const reader = openConnection(
      settings.url,
      READ_BLOCK + COMMAND_TIMEOUT,
      onLost,
      signal,
    );
    this.#commands = commands.connection;
    this.#reader = reader.connection;
    this.#stopReceiver = settings.receiver?.listenAll((event) =>
      this.#publish(event)
    );
    this.#reading = Promise.all([commands.opened, reader.opened]).then(() =>
      this.#read()
    );
  }

  /** Whether the last contact with Redis failed. */
  get degraded(): boolean {
    return this.#health.degraded;
  }

  /** Listens through this instance's receiver and through Redis; each event once. */
  listen(jobId: string, listener: (event: WebhookEvent) => void): () => void {
    const { maxKept, keepFor, receiver } = this.#settings;
    const heard = new ExpiringMap<string, true>(maxKept, keepFor, systemClock);
    const listening: Listening = {
      jobId,
      hear: (event) => {
        if (heard.get(idKey(event)) !== undefined) return;
        heard.set(idKey(event), true);
        listener(event);
      },
    };
    let set = this.#listening.get(jobId);
    if (set === undefined) this.#listening.set(jobId, set = new Set());
    set.add(listening);
    let stopLocal: (() => void) | undefined;
    try {
      stopLocal = receiver?.listen(jobId, listening.hear);
    } catch (error) {
      // The listener threw at the receiver's replay: it listens to nothing.
      set.delete(listening);
      if (set.size === 0) this.#listening.delete(jobId);
      throw error;
    }
    // Before Redis is first reached, the first contact replays instead.
    if (!this.#starting) void this.#replay([listening]);
    return () => {
      stopLocal?.();
      set.delete(listening);
      if (set.size === 0 && this.#listening.get(jobId) === set) {
        this.#listening.delete(jobId);
      }
    };
  }

  /** Stops reading and publishing and closes the connections at once. */
  close(): Promise<void> {
    return this.#closed ??= this.#close();
  }

  async #close(): Promise<void> {
    this.#closing.abort();
    this.#stopReceiver?.();
    await Promise.all([this.#commands.close(), this.#reader.close()]);
    await this.#reading;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #key(kind: "seen" | "job", id: string): string {
    return `${this.#settings.prefix}:${kind}:${id}`;
  }

  get #stream(): string {
    return `${this.#settings.prefix}:stream`;
  }

  /**
   * Publishes an event now (commands on one connection keep their order),
   * or, while earlier ones wait for Redis, queues it behind them.
   */
  #publish(event: WebhookEvent): void {
    // An unverified event (a receiver without a secret) is only a hint,
    // which anyone who can reach one instance could send: it stays there,
    // rather than waking every wait in the fleet.
    if (this.#closing.signal.aborted || !event.verified) return;
    if (this.#outbox.length > 0 || this.#starting) return this.#keep([event]);
    void this.#send([event]);
  }

  /** Publishes `events` at once; those that fail are kept, in order. */
  async #send(events: WebhookEvent[]): Promise<void> {
    const { keepFor, maxKept } = this.#settings;
    const outcomes = await Promise.allSettled(
      events.map((event) =>
        this.#commands.run(
          PUBLISH,
          [
            this.#key("seen", idKey(event)),
            this.#key("job", event.jobId),
            this.#stream,
            `${this.#stream}:count`,
          ],
          [encodeEvent(event), keepFor, EVENTS_PER_JOB, maxKept],
        )
      ),
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
    const excess = this.#outbox.length - this.#settings.maxKept;
    if (excess > 0) this.#outbox.splice(0, excess);
  }

  /** Gives each listener the events Redis keeps for its job. */
  async #replay(targets: readonly Listening[]): Promise<void> {
    // All at once: the connection pipelines them.
    const replies = await Promise.allSettled(
      targets.map((listening) =>
        this.#commands.command([
          "LRANGE",
          this.#key("job", listening.jobId),
          "0",
          "-1",
        ])
      ),
    );
    for (const [i, listening] of targets.entries()) {
      const reply = replies[i];
      if (reply.status === "rejected") {
        // Replayed again once Redis answers.
        if (!this.#closing.signal.aborted) this.#health.failed(reply.reason);
        continue;
      }
      if (!this.#listening.get(listening.jobId)?.has(listening)) continue;
      for (const entry of Array.isArray(reply.value) ? reply.value : []) {
        const event = decodeEvent(entry);
        if (event?.jobId === listening.jobId) tell(listening, event);
      }
    }
  }

  /** Redis answers (first contact, or again): publish what waited, replay for every wait. */
  async #reached(): Promise<void> {
    if (!this.#health.reached()) return;
    this.#starting = false;
    await this.#send(this.#outbox.splice(0));
    await this.#replay(this.#everyListening());
  }

  #everyListening(): Listening[] {
    return [...this.#listening.values()].flatMap((set) => [...set]);
  }

  async #read(): Promise<void> {
    const signal = this.#closing.signal;
    let lastId: string | undefined;
    let lastNumber: number | undefined;
    // Whether the last command on the reader succeeded: at first and after
    // a failure, cheap commands on both connections tell that Redis answers
    // before the blocking read, so that a recovery is not declared while
    // the connection that publishes still reconnects.
    let contact = false;
    while (!signal.aborted) {
      try {
        if (!contact) {
          await Promise.all([
            this.#commands.command(["PING"]),
            this.#reader.command(["PING"]),
          ]);
          if (lastId === undefined) {
            [lastId, lastNumber] = await this.#tail();
          }
          contact = true;
        }
        await this.#reached();
        const reply = await this.#reader.command([
          "XREAD",
          "COUNT",
          String(READ_COUNT),
          "BLOCK",
          String(READ_BLOCK),
          "STREAMS",
          this.#stream,
          lastId!,
        ]);
        // Entries published faster than this reader reads may have been
        // trimmed (a gap in their numbers): each wait then takes its job's
        // kept events.
        let gap = false;
        for (const [id, event, number] of entriesOf(readEntries(reply))) {
          lastId = id;
          if (number !== undefined) {
            gap ||= lastNumber !== undefined && number !== lastNumber + 1;
            lastNumber = number;
          }
          if (event !== undefined) this.#dispatch(event);
        }
        if (gap) await this.#replay(this.#everyListening());
      } catch (error) {
        if (signal.aborted) break;
        contact = false;
        this.#health.failed(error);
        await delay(RETRY_DELAY, signal).catch(() => {});
      }
    }
  }

  /** The id and number of the stream's newest entry: reading starts after it. */
  async #tail(): Promise<[string, number | undefined]> {
    const reply = await this.#reader.command([
      "XREVRANGE",
      this.#stream,
      "+",
      "-",
      "COUNT",
      "1",
    ]);
    const [id = "0-0", , number] = entriesOf(reply)[0] ?? [];
    return [id, number];
  }

  #dispatch(event: WebhookEvent): void {
    for (const listening of [...this.#listening.get(event.jobId) ?? []]) {
      tell(listening, event);
    }
  }
}

/** Gives a wait an event that came through Redis. */
function tell(listening: Listening, event: WebhookEvent): void {
  try {
    listening.hear(event);
  } catch {
    // A wait's listener that throws must not stop the others, nor the
    // reading: its own wait owns that error.
  }
}
