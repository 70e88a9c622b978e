/**
 * The client's options and their defaults; `settings.ts` checks them and
 * turns them into the settings a wait runs with.
 *
 * @module
 */

import type { Clock } from "../timing/clock.ts";
import type { PollSchedule } from "../timing/schedule.ts";
import type { DialectOptions } from "./dialect_options.ts";
import type { RequestBudget } from "./request_budget.ts";
import type { HeaderValues } from "./headers.ts";
import type { AllowedOrigin } from "./origin.ts";
import type { RetryEvent, StatusUpdate } from "./types.ts";
import type { WebSocketOptions } from "./websocket.ts";
import type { WebhookOptions } from "./webhook_wait.ts";

/**
 * How the client learns that a job changed:
 * - `"auto"`: long-poll (`Prefer: wait`, RFC 7240) while the server applies
 *   it, otherwise poll on the schedule.
 * - `"poll"`: plain requests on the schedule; never asks the server to wait.
 * - `"long-poll"`: always asks the server to hold the request.
 * - `"sse"`: server-sent events from `{statusUrl}/events`, falling back to
 *   `"auto"` when the server has no event stream.
 * - `"websocket"`: a WebSocket on the status URL (`ws:`/`wss:`), falling
 *   back to `"auto"` when none opens or the runtime has no `WebSocket`. It
 *   carries no configured `headers`: browsers cannot send any.
 *
 * @example Pin a strategy
 * ```ts
 * import { type Strategy, VideoStatusClient } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const strategy: Strategy = "sse";
 * assert.equal(new VideoStatusClient({ strategy }).strategy, "sse");
 * ```
 */
export type Strategy = "auto" | "poll" | "long-poll" | "sse" | "websocket";

/**
 * Options for `VideoStatusClient`. Times are in milliseconds.
 *
 * @example Options for a production client
 * ```ts
 * import { VideoStatusClient, type VideoStatusClientOptions } from "@video-status/client";
 *
 * const options: VideoStatusClientOptions = {
 *   serverUrl: "https://api.example.com/v1",
 *   headers: { authorization: "Bearer my-api-key" },
 *   timeout: 15 * 60_000,
 *   maxRequestsPerSecond: 20,
 * };
 * const client = new VideoStatusClient(options);
 * ```
 */
export interface VideoStatusClientOptions
  extends DialectOptions, WebSocketOptions, WebhookOptions {
  /**
   * The server's base URL; `/status` and the dialect's paths resolve against it.
   *
   * @default {"http://127.0.0.1:5000"}
   */
  serverUrl?: string | URL;
  /**
   * The URL that `getStatus()` polls, used as-is (for example
   * `http://host/status?job_id=abc`).
   *
   * @default {`${serverUrl}/status`}
   */
  statusUrl?: string | URL;
  /**
   * How many consecutive failed requests (network error, request timeout,
   * 408, 5xx but 501 and 505, unreadable body) are retried before the wait
   * rejects with a `RetryError`. A status answer resets the count. A 429, or
   * a 503 with `Retry-After`, is the server pacing the client, not a
   * failure: it slows the wait down but does not count.
   *
   * @default {5}
   */
  maxRetries?: number;
  /**
   * First delay of the backoff, used between polls of a pending job, between
   * retries, and before reconnecting a closed event stream that gave no
   * `retry:`.
   *
   * @default {1000}
   */
  initialDelay?: number;
  /**
   * Largest delay of the backoff. Pacing answers (429) without a
   * `Retry-After` keep backing off past it, up to `maxRetryAfter`.
   *
   * @default {5000}
   */
  maxDelay?: number;
  /**
   * The random spread of a delay, as a fraction of it (0 to 1), so that
   * clients do not poll in lockstep: a backoff delay `d` is drawn from
   * [d·(1−jitter), d], a server's hint `h` from [h, h·(1+jitter)] (never
   * earlier than the server asked).
   *
   * @default {0.1}
   */
  jitter?: number;
  /**
   * When to poll a pending job. Pass a `LearnedSchedule` to learn from past
   * waits, or any `PollSchedule`. Only waits for a job from `createJob()`
   * (whose start is known) teach it how long jobs take.
   *
   * @default {new Backoff({ initialDelay, maxDelay, jitter })}
   */
  schedule?: PollSchedule;
  /**
   * Upper bound of a whole wait; it then rejects with a `TimeoutError`.
   * Must be finite, so that no wait can hang forever.
   *
   * @default {600000}
   */
  timeout?: number;
  /**
   * Upper bound of one request, headers and body (a long-poll may take
   * `longPollWait` longer; an event stream may stay silent that long);
   * beyond it the request fails with a `RequestTimeoutError` and is retried.
   *
   * @default {10000}
   */
  requestTimeout?: number;
  /**
   * How updates are obtained.
   *
   * @default {"auto"}
   */
  strategy?: Strategy;
  /**
   * How long a long-poll asks the server to hold a request (sent as whole
   * seconds in `Prefer: wait=N`; the server may apply less).
   *
   * @default {30000}
   */
  longPollWait?: number;
  /**
   * Least time between the starts of two consecutive requests of one wait,
   * whatever the schedule, a server's hint or an early answer says, so that
   * nothing can make the client spin.
   *
   * @default {100}
   */
  minDelay?: number;
  /**
   * Largest delay a server can ask for with `Retry-After` or an event
   * stream's `retry:`; longer ones are cut to this. Also the cap of the
   * backoff after pacing answers without a hint. The wait's `timeout` still
   * applies.
   *
   * @default {60000}
   */
  maxRetryAfter?: number;
  /**
   * Budget of requests per second shared by every wait and `createJob()` of
   * this client: no second (a sliding window) holds more requests than this;
   * beyond it requests queue in order. A fraction above 1 is rounded down;
   * below 1 it means one request every `1 / maxRequestsPerSecond` seconds.
   *
   * @default {Infinity}
   */
  maxRequestsPerSecond?: number;
  /**
   * The request budget every wait and `createJob()` of this client take
   * their place in, instead of one of its own from `maxRequestsPerSecond`
   * (which must then be left out): one budget several clients share, or
   * `createRedisBudget()` from `@video-status/client/redis`, which processes
   * share. The client never closes it.
   *
   * @default {an in-memory budget of `maxRequestsPerSecond`, this client's alone}
   */
  budget?: RequestBudget;
  /**
   * Headers sent with every request, e.g. an API key, as a record, a list
   * of name–value pairs or a `Headers`. They go only to the origins of
   * `serverUrl` and `statusUrl` (and of `allowedOrigins` entries that say
   * `sendHeaders: true`), never across a redirect elsewhere, and their
   * values never appear in errors, causes or updates (values of 4 characters
   * or more, and each such word of them, are hidden).
   */
  headers?: HeaderValues;
  /**
   * Origins besides those of `serverUrl` and `statusUrl` that the server may
   * send the client to, with a redirect or a created job's `Location`, for
   * APIs that hand out URLs on another host. A URL on any other origin is
   * refused with a `RequestError`, as is any scheme but `http:` and
   * `https:`, always. The configured `headers` go to an allowed origin only
   * if its entry says `{ origin, sendHeaders: true }`.
   *
   * @default {[]}
   */
  allowedOrigins?: (string | URL | AllowedOrigin)[];
  /**
   * How many redirects (301, 302, 303, 307, 308 with a `Location`) one
   * request follows, each checked against the allowed origins; one more
   * ends the wait with a `RequestError`. The client follows them itself so
   * that `fetch` never forwards `headers`; in browsers, which hide
   * redirects from scripts, any redirect ends the wait with a `RequestError`.
   * The hops of one request share its place in `maxRequestsPerSecond` and
   * count as one attempt.
   *
   * @default {5}
   */
  maxRedirects?: number;
  /**
   * The `fetch` to use.
   *
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Source of time and sleeps.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Source of random numbers in [0, 1) for jitter.
   *
   * @default {Math.random}
   */
  random?: () => number;
  /** Called with every status update of every wait. The library itself prints nothing. */
  onUpdate?: (update: StatusUpdate) => void;
  /** Called before each request sent again after a failure or a pacing answer. */
  onRetry?: (event: RetryEvent) => void;
}
