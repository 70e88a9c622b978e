// The one way this entry point talks to Redis: a node-redis client that
// fails fast instead of queueing while Redis is away, so that a caller can
// fall back at once, reconnects by itself, bounds every command in time, and
// runs Lua scripts by their hash (EVALSHA), loading them again after a
// restarted Redis forgot them.

import { createClient } from "redis";

/** The settings of a {@linkcode RedisConnection}. */
export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` URL of the server. */
  url: string;
  /** Longest wait for one command's reply before it counts as failed. */
  commandTimeout: number;
  /** Longest pause between attempts to reconnect. */
  maxReconnectDelay: number;
  /** Called when the connection is (again) ready. */
  onReady?: () => void;
  /** Called when the connection is lost, with the cause. */
  onLost?: (cause: unknown) => void;
}

/** A Lua script, run by its SHA-1 once Redis knows it. */
export class LuaScript {
  readonly source: string;
  /** The script's SHA-1, once Redis has told it. */
  sha: string | undefined;

  constructor(source: string) {
    this.source = source;
  }
}

type Client = ReturnType<typeof createClient>;

/** One connection to Redis, opened at once and reopened by itself. */
export class RedisConnection {
  readonly #client: Client;
  readonly #options: RedisConnectionOptions;
  #subscriber: Client | undefined;
  #closed = false;
  #lost = false;

  constructor(options: RedisConnectionOptions) {
    this.#options = options;
    this.#client = createClient({
      url: options.url,
      // Fail a command at once while Redis is away: the caller has a
      // fallback, and a queue would hold requests for an unknown time.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(options.commandTimeout, 1000),
        reconnectStrategy: (retries) =>
          Math.min(options.maxReconnectDelay, 25 * 2 ** Math.min(retries, 10)),
      },
    });
    this.#watch(this.#client, true);
    // The first attempt may fail too: the reconnect strategy keeps trying.
    this.#client.connect().catch(() => {});
  }

  /** Whether commands can be sent now. */
  get ready(): boolean {
    return this.#client.isReady;
  }

  #watch(client: Client, main: boolean): void {
    // Without a listener node-redis throws its errors at the process.
    client.on("error", (error: unknown) => {
      if (main) this.#lose(error);
    });
    if (!main) return;
    client.on("ready", () => {
      this.#lost = false;
      this.#options.onReady?.();
    });
    client.on("reconnecting", () => this.#lose(new Error("reconnecting")));
  }

  #lose(cause: unknown): void {
    if (this.#closed || this.#lost) return;
    this.#lost = true;
    this.#options.onLost?.(cause);
  }

  /**
   * Runs a script with its keys and arguments, within the command timeout.
   * Rejects when Redis is away, slow or refuses.
   */
  async run(
    script: LuaScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    if (script.sha !== undefined) {
      try {
        return await this.command(["EVALSHA", script.sha, ...tail]);
      } catch (error) {
        if (!String((error as Error)?.message).startsWith("NOSCRIPT")) {
          throw error;
        }
      }
    }
    // EVAL also leaves the script in Redis's cache for the next EVALSHA.
    const reply = await this.command(["EVAL", script.source, ...tail]);
    script.sha ??= String(
      await this.command(["SCRIPT", "LOAD", script.source]),
    );
    return reply;
  }

  /**
   * Sends one command; rejects if its reply has not come within the
   * command timeout (node-redis's own timeout ends only at the write). A
   * reply that comes later is dropped.
   */
  command(args: readonly string[]): Promise<unknown> {
    const { commandTimeout } = this.#options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`Redis did not answer within ${commandTimeout} ms`),
          ),
        commandTimeout,
      );
    });
    return Promise.race([this.#client.sendCommand([...args]), late])
      .finally(() => clearTimeout(timer));
  }

  /**
   * Calls `listener` with each message on `channel`, over a second
   * connection (a subscribed connection can send nothing else). The
   * subscription is made once Redis answers, and again after a reconnect.
   */
  subscribe(channel: string, listener: (message: string) => void): void {
    if (this.#subscriber === undefined) {
      // Its subscriptions wait for Redis rather than fail.
      const subscriber = this.#client.duplicate({ disableOfflineQueue: false });
      this.#subscriber = subscriber;
      this.#watch(subscriber, false);
      subscriber.connect().catch(() => {});
    }
    this.#subscriber.subscribe(channel, listener).catch(() => {});
  }

  /** Closes both connections; commands in flight fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of [this.#subscriber, this.#client]) {
      if (client === undefined) continue;
      // `destroy()` rather than `close()`: it does not wait on a Redis
      // that is away or paused.
      if (client.isOpen) client.destroy();
    }
    await Promise.resolve();
  }
}
