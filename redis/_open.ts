// Opening a connection for a Redis-backed part: a RedisConnection fails a
// command sent before it is first ready, so a part waits for that (at most
// the command timeout, after which Redis counts as unreachable) before its
// first command, and a part next to a healthy Redis never reports it down.

import { delay } from "../timing/clock.ts";
import { RedisConnection } from "./connection.ts";

// The longest pause between attempts to reconnect, in ms: a restarted
// Redis is reached again within about a second.
const MAX_RECONNECT_DELAY = 1000;

/** A connection, and when to send the first command on it. */
export interface Opening {
  connection: RedisConnection;
  /** Resolves once the connection is first ready, or after `commandTimeout`, or on `signal`. */
  opened: Promise<void>;
}

/** Opens a connection to `url`; `onLost` hears each loss at once. */
export function openConnection(
  url: string,
  commandTimeout: number,
  onLost: (cause: unknown) => void,
  signal: AbortSignal,
): Opening {
  const ready = Promise.withResolvers<void>();
  // The grace period ends at readiness too, so that no timer outlives it.
  const grace = new AbortController();
  const end = () => grace.abort();
  signal.addEventListener("abort", end, { once: true });
  ready.promise.then(() => {
    signal.removeEventListener("abort", end);
    end();
  });
  const connection = new RedisConnection({
    url,
    commandTimeout,
    maxReconnectDelay: MAX_RECONNECT_DELAY,
    onReady: () => ready.resolve(),
    onLost,
  });
  const opened = Promise.race([
    ready.promise,
    delay(commandTimeout, grace.signal).catch(() => {}),
  ]);
  return { connection, opened };
}
