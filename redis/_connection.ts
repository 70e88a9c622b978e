// One connection to Redis as the Redis-backed parts use it: opened in the
// background (creating a part never waits for Redis), commands refused at
// once while it is down instead of queued (a caller never hangs on a dead
// server), reconnecting by itself with a capped backoff until closed.

import { createClient } from "redis";

/** A Redis connection: raw commands, and a close that never waits. */
export interface Connection {
  /** Sends one command; rejects at once while Redis is unreachable (after the first attempt to connect). */
  send(args: string[]): Promise<unknown>;
  /** Drops the connection now, rejecting what is in flight. */
  close(): void;
}

// Reconnection waits 50 ms, doubling to at most this, so that a restarted
// Redis is reached again within a second.
const MAX_RECONNECT_DELAY = 1000;
// How long one attempt to connect may take before it counts as a failure.
const CONNECT_TIMEOUT = 2000;

/**
 * Opens a connection to `url` in the background. Its errors go to `onError`
 * (the client would otherwise throw them as unhandled).
 */
export function openConnection(
  url: string,
  onError: (error: unknown) => void,
): Connection {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT,
      reconnectStrategy: (retries: number) =>
        Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY),
    },
  });
  client.on("error", onError);
  // Commands sent before the first attempt to connect ends would be refused
  // as offline: they wait for it instead, so that a part starting next to a
  // healthy Redis never reports it down.
  const firstAttempt = new Promise<void>((resolve) => {
    client.once("ready", resolve);
    client.once("error", () => resolve());
    // It rejects only once closed, having retried until then.
    client.connect().catch(() => resolve());
  });
  return {
    send: async (args) => {
      await firstAttempt;
      return await client.sendCommand(args);
    },
    close() {
      if (client.isOpen) client.destroy();
    },
  };
}
