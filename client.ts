/**
 * The status protocol over `fetch`: {@linkcode VideoStatusClient} waits for a
 * video translation job with as few requests as possible and reports the
 * result as soon as it exists. Runtime-agnostic: it uses only web-standard
 * APIs, so it runs in Deno, Node, Bun and browsers.
 *
 * @module
 */

import { Backoff } from "./timing/backoff.ts";
import { readBoundedText } from "./protocol/body.ts";
import { type Clock, systemClock } from "./timing/clock.ts";
import {
  HTTPError,
  ProtocolError,
  RetryError,
  TimeoutError,
} from "./client/errors.ts";
import {
  type FinalStatus,
  isFinalStatus,
  isVideoStatus,
  type VideoStatus,
} from "./protocol/status.ts";
import { RequestBudget } from "./client/budget.ts";
import { parseRetryAfter } from "./protocol/retry_after.ts";
import type { PollSchedule } from "./timing/schedule.ts";
import { pushIterator } from "./client/push_iterator.ts";
import { readServerSentEvents } from "./protocol/sse.ts";
import {
  assertFiniteAtLeast,
  assertFunction,
  assertMethods,
  show,
} from "./util/validate.ts";

/**
 * How the client learns that a job changed:
 * - `"auto"`: long-poll (`Prefer: wait`, RFC 7240) while the server applies
 *   it, otherwise poll on the schedule.
 * - `"poll"`: plain requests on the schedule; never asks the server to wait.
 * - `"long-poll"`: always asks the server to hold the request.
 * - `"sse"`: server-sent events from `{statusUrl}/events`, falling back to
 *   `"auto"` when the server has no event stream.
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
export type Strategy = "auto" | "poll" | "long-poll" | "sse";

/**
 * How an update reached the client.
 *
 * @example Log how updates arrive
 * ```ts
 * import type { StatusUpdate, UpdateSource } from "@video-status/client";
 *
 * const sourceOf = (update: StatusUpdate): UpdateSource => update.source;
 * ```
 */
export type UpdateSource = "poll" | "long-poll" | "sse";

/**
 * One status answer during a wait, as given to `onUpdate` and yielded by `watch()`.
 *
 * @example Describe an update
 * ```ts
 * import type { StatusUpdate } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const describe = ({ result, nextDelay }: StatusUpdate): string =>
 *   nextDelay === undefined ? result : `${result}, again in ${nextDelay} ms`;
 * assert.equal(
 *   describe({ result: "pending", attempt: 1, elapsed: 0, nextDelay: 1000, source: "poll", url: "http://x/status" }),
 *   "pending, again in 1000 ms",
 * );
 * ```
 */
export interface StatusUpdate {
  /** The status the server reported. */
  result: VideoStatus;
  /** How many requests this wait has sent so far. */
  attempt: number;
  /** Milliseconds since the wait started (for a created job: since its creation). */
  elapsed: number;
  /** Milliseconds until the next request, or `undefined` if there is none planned (final status, or pushed events). */
  nextDelay: number | undefined;
  /** How the update arrived. */
  source: UpdateSource;
  /** The status URL being watched. */
  url: string;
}

/**
 * The last update of a wait: its status is final.
 *
 * @example Use the final update
 * ```ts
 * import type { FinalUpdate } from "@video-status/client";
 *
 * const summary = (final: FinalUpdate): string =>
 *   `${final.result} after ${final.attempt} requests and ${final.elapsed} ms`;
 * ```
 */
export interface FinalUpdate extends StatusUpdate {
  /** `"completed"` or `"error"`. */
  result: FinalStatus;
  /** Always `undefined`: nothing follows a final status. */
  nextDelay: undefined;
}

/**
 * A failed request that will be retried, as given to `onRetry`.
 *
 * @example Log retries
 * ```ts
 * import { type RetryEvent, VideoStatusClient } from "@video-status/client";
 *
 * const client = new VideoStatusClient({
 *   onRetry: ({ failures, nextDelay }: RetryEvent) =>
 *     console.warn(`failure ${failures}, retrying in ${nextDelay} ms`),
 * });
 * ```
 */
export interface RetryEvent {
  /** Why the request failed: a network error, an `HTTPError`, a `ProtocolError` or a `TimeoutError`. */
  error: unknown;
  /** How many consecutive requests have failed. */
  failures: number;
  /** Milliseconds until the retry. */
  nextDelay: number;
  /** The URL that failed. */
  url: string;
}

/**
 * A job created on the server with {@linkcode VideoStatusClient.createJob}.
 *
 * @example Keep a job to wait for later
 * ```ts
 * import type { Job } from "@video-status/client";
 *
 * const jobs = new Map<string, Job>();
 * ```
 */
export interface Job {
  /** The job's id. */
  id: string;
  /** The job's absolute status URL. */
  url: string;
  /** Its status when it was created (normally `"pending"`). */
  result: VideoStatus;
  /** The client clock's time when the creating request was sent. */
  createdAt: number;
}

/**
 * Options for {@linkcode VideoStatusClient.createJob}.
 *
 * @example Script a job that fails after two seconds
 * ```ts
 * import type { CreateJobOptions } from "@video-status/client";
 *
 * const options: CreateJobOptions = { delay: 2000, outcome: "error" };
 * ```
 */
export interface CreateJobOptions {
  /** Scripts the job (simulator only): milliseconds until it finishes; sent as seconds. */
  delay?: number;
  /** Scripts the job (simulator only): how it ends. */
  outcome?: FinalStatus;
  /** Aborts the request; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Options of one wait: {@linkcode VideoStatusClient.getStatus}, `waitForJob()` or `watch()`.
 *
 * @example Bound one wait
 * ```ts
 * import type { WaitOptions } from "@video-status/client";
 *
 * const options: WaitOptions = { timeout: 60_000, signal: AbortSignal.timeout(90_000) };
 * ```
 */
export interface WaitOptions {
  /** Aborts the wait: the sleep ends, the request in flight is aborted, no further request is sent, and the wait rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeout` for this wait, in milliseconds. */
  timeout?: number;
  /** Called with every update of this wait, after the client's own `onUpdate`. An exception thrown here ends the wait with it. */
  onUpdate?: (update: StatusUpdate) => void;
}

/**
 * Options for {@linkcode VideoStatusClient}. Times are in milliseconds.
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
export interface VideoStatusClientOptions {
  /**
   * The server's base URL; `/status` and `/jobs` are resolved against it.
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
   * How many consecutive failed requests (network error, 408, 429, 5xx but
   * 501 and 505, unreadable body) are retried before the wait rejects with a
   * `RetryError`. A `pending` answer is not a failure and resets the count.
   *
   * @default {5}
   */
  maxRetries?: number;
  /**
   * First delay of the backoff, used between polls of a pending job and
   * between retries.
   *
   * @default {1000}
   */
  initialDelay?: number;
  /**
   * Largest delay of the backoff.
   *
   * @default {5000}
   */
  maxDelay?: number;
  /**
   * Fraction by which each backoff delay may be shortened at random, so that
   * clients do not poll in lockstep.
   *
   * @default {0.1}
   */
  jitter?: number;
  /**
   * When to poll a pending job. Pass a `LearnedSchedule` to learn from past
   * waits, or any `PollSchedule`.
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
   * `longPollWait` longer; an event stream may stay silent that long).
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
   * Least time between two requests of a wait when the server hints a
   * shorter one (`Retry-After: 0`) or returns a long-poll early, so that no
   * server can make the client spin.
   *
   * @default {100}
   */
  minDelay?: number;
  /**
   * Largest `Retry-After` honoured; longer hints are cut to this. The wait's
   * `timeout` still applies.
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
  /** Headers sent with every request, e.g. an API key. They never appear in errors or updates. */
  headers?: HeadersInit;
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
  /** Called before each retry of a failed request. */
  onRetry?: (event: RetryEvent) => void;
}

const STRATEGIES: readonly Strategy[] = ["auto", "poll", "long-poll", "sse"];
/** Whether retrying may help: 408, 429 and 5xx but 501 and 505, which say the server never will. */
function isRetryable(status: number): boolean {
  return status === 408 || status === 429 ||
    (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}
// Statuses with which a server says it has no event stream at this URL.
const NO_EVENT_STREAM_STATUSES = new Set([404, 405, 406, 501]);

type RequestOutcome =
  | {
    kind: "status";
    result: VideoStatus;
    retryAfter: number | undefined;
    waitApplied: boolean;
    sentAt: number;
    receivedAt: number;
  }
  | { kind: "failure"; error: unknown; retryAfter: number | undefined };

type StreamOutcome =
  | { kind: "final"; update: FinalUpdate }
  | { kind: "failure"; error: unknown; retryAfter: number | undefined }
  | { kind: "unsupported" };

/** What one wait needs to know; lives as long as the wait. */
interface WaitState {
  url: string;
  /** The URL without credentials, for updates and errors. */
  shownUrl: string;
  startedAt: number;
  /** The clock's time at which the wait times out. */
  deadline: number;
  /** The request budget's ticket for the next request. */
  ticket: number;
  timeout: number;
  signal: AbortSignal | undefined;
  attempts: number;
  lastStatus: VideoStatus | undefined;
  onUpdate: ((update: StatusUpdate) => void) | undefined;
}

/**
 * Waits for video translation jobs.
 *
 * @example Seed-compatible: wait for the server's default job
 * ```ts ignore
 * import { VideoStatusClient } from "@video-status/client";
 *
 * const client = new VideoStatusClient({ serverUrl: "http://127.0.0.1:5000", maxRetries: 5 });
 * const status = await client.getStatus();
 * console.log(`Final Status: ${status}`);
 * ```
 *
 * @example Create a job and watch it
 * ```ts ignore
 * import { VideoStatusClient } from "@video-status/client";
 *
 * const client = new VideoStatusClient();
 * const job = await client.createJob();
 * for await (const update of client.watch(job, { signal: AbortSignal.timeout(60_000) })) {
 *   console.log(update.result, update.elapsed);
 * }
 * ```
 */
export class VideoStatusClient {
  /** The server's base URL. */
  readonly serverUrl: string;
  /** The URL `getStatus()` polls. */
  readonly statusUrl: string;
  /** Consecutive failed requests retried before giving up. */
  readonly maxRetries: number;
  /** Default time limit of a wait, in milliseconds. */
  readonly timeout: number;
  /** Time limit of one request, in milliseconds. */
  readonly requestTimeout: number;
  /** The strategy in use. */
  readonly strategy: Strategy;
  /** The poll schedule in use. */
  readonly schedule: PollSchedule;

  #retryBackoff: Backoff;
  #jitter: number;
  #random: () => number;
  #longPollWait: number;
  #minDelay: number;
  #maxRetryAfter: number;
  #budget: RequestBudget;
  #headers: Headers;
  #fetch: typeof fetch;
  #clock: Clock;
  #onUpdate: ((update: StatusUpdate) => void) | undefined;
  #onRetry: ((event: RetryEvent) => void) | undefined;

  /**
   * Creates a client. Nothing is sent until a method is called.
   *
   * @example
   * ```ts
   * import { VideoStatusClient } from "./client.ts";
   * import assert from "node:assert/strict";
   *
   * const client = new VideoStatusClient({ serverUrl: "http://example.test/api" });
   * assert.equal(client.statusUrl, "http://example.test/api/status");
   * ```
   *
   * @param options The client's settings.
   * @throws {TypeError} If a URL cannot be parsed, or `strategy` or `fetch` is not valid.
   * @throws {RangeError} If a number is out of range.
   */
  constructor(options: VideoStatusClientOptions = {}) {
    const subject = "VideoStatusClient";
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `Cannot create ${subject} as its options must be an object: current value is ${
          show(options)
        }`,
      );
    }
    const {
      serverUrl = "http://127.0.0.1:5000",
      statusUrl,
      maxRetries = 5,
      initialDelay = 1000,
      maxDelay = 5000,
      jitter = 0.1,
      random = Math.random,
      timeout = 600_000,
      requestTimeout = 10_000,
      strategy = "auto",
      longPollWait = 30_000,
      minDelay = 100,
      maxRetryAfter = 60_000,
      maxRequestsPerSecond = Infinity,
      headers,
      fetch: fetchFn = globalThis.fetch,
      clock = systemClock,
    } = options;
    this.serverUrl = parseUrl("serverUrl", serverUrl).href;
    this.statusUrl = statusUrl === undefined
      ? joinPath(this.serverUrl, "/status")
      : parseUrl("statusUrl", statusUrl).href;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new RangeError(
        `Cannot create ${subject} as 'maxRetries' must be a non-negative integer: current value is ${
          show(maxRetries)
        }`,
      );
    }
    assertFiniteAtLeast(subject, "initialDelay", initialDelay, 0);
    assertFiniteAtLeast(
      subject,
      "maxDelay",
      maxDelay,
      initialDelay,
      "initialDelay",
    );
    if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)) {
      throw new RangeError(
        `Cannot create ${subject} as 'jitter' must be a number from 0 to 1: current value is ${
          show(jitter)
        }`,
      );
    }
    assertFiniteAtLeast(subject, "timeout", timeout, 1);
    assertFiniteAtLeast(subject, "requestTimeout", requestTimeout, 1);
    assertFiniteAtLeast(subject, "longPollWait", longPollWait, 1000);
    assertFiniteAtLeast(subject, "minDelay", minDelay, 0);
    assertFiniteAtLeast(
      subject,
      "maxRetryAfter",
      maxRetryAfter,
      minDelay,
      "minDelay",
    );
    if (
      typeof maxRequestsPerSecond !== "number" || !(maxRequestsPerSecond > 0)
    ) {
      throw new RangeError(
        `Cannot create ${subject} as 'maxRequestsPerSecond' must be a positive number: current value is ${
          show(maxRequestsPerSecond)
        }`,
      );
    }
    assertFunction(subject, "random", random);
    assertMethods(subject, "clock", clock, ["now", "sleep"]);
    if (options.schedule !== undefined) {
      assertMethods(subject, "schedule", options.schedule, ["nextDelay"]);
    }
    assertFunction(subject, "onUpdate", options.onUpdate, true);
    assertFunction(subject, "onRetry", options.onRetry, true);
    if (!STRATEGIES.includes(strategy)) {
      throw new TypeError(
        `Cannot create ${subject} as 'strategy' must be one of ${
          STRATEGIES.join(", ")
        }: current value is ${show(strategy)}`,
      );
    }
    assertFunction(subject, "fetch", fetchFn);
    this.#retryBackoff = new Backoff({
      initialDelay,
      maxDelay,
      jitter,
      random,
    });
    this.schedule = options.schedule ?? this.#retryBackoff;
    this.#jitter = jitter;
    this.#random = random;
    this.maxRetries = maxRetries;
    this.timeout = timeout;
    this.requestTimeout = requestTimeout;
    this.strategy = strategy;
    this.#longPollWait = longPollWait;
    this.#minDelay = minDelay;
    this.#maxRetryAfter = maxRetryAfter;
    this.#budget = new RequestBudget(maxRequestsPerSecond, clock);
    this.#headers = new Headers(headers);
    // Called bare: browsers reject a fetch invoked with another `this`.
    this.#fetch = (input, init) => fetchFn(input, init);
    this.#clock = clock;
    this.#onUpdate = options.onUpdate;
    this.#onRetry = options.onRetry;
  }

  /**
   * Waits until the status at `statusUrl` is final and returns it, like the
   * seed's `get_status()`. `"error"` is a final status, not an exception.
   *
   * @example
   * ```ts ignore
   * import { VideoStatusClient } from "./client.ts";
   *
   * const status = await new VideoStatusClient().getStatus({ timeout: 60_000 });
   * ```
   *
   * @param options Abort signal, timeout and update callback of this wait.
   * @returns `"completed"` or `"error"`.
   * @throws {HTTPError} On a status that retrying cannot fix (400, 401, 403, 404 …).
   * @throws {RetryError} When more than `maxRetries` consecutive requests failed.
   * @throws {TimeoutError} When the wait took longer than its timeout.
   * @throws {ProtocolError} When the server reports an unknown `result`.
   */
  getStatus(options: WaitOptions = {}): Promise<FinalStatus> {
    return this.#wait(this.statusUrl, undefined, options)
      .then((update) => update.result);
  }

  /**
   * Creates a job on the simulator (`POST {serverUrl}/jobs`). The request is
   * not retried, as creating is not idempotent.
   *
   * @example
   * ```ts ignore
   * import { VideoStatusClient } from "./client.ts";
   *
   * const client = new VideoStatusClient();
   * const job = await client.createJob({ delay: 2000, outcome: "completed" });
   * const final = await client.waitForJob(job);
   * ```
   *
   * @param options Scripted delay and outcome, and an abort signal.
   * @returns The created job.
   * @throws {HTTPError} When the server refuses (any non-2xx status).
   * @throws {ProtocolError} When the answer has no job id or status.
   * @throws {TimeoutError} When the request took longer than `requestTimeout`.
   * @throws {RangeError} When `delay` is negative or not finite.
   * @throws {TypeError} When `outcome` is not `"completed"` or `"error"`.
   */
  async createJob(options: CreateJobOptions = {}): Promise<Job> {
    const { delay, outcome, signal } = options;
    const script: Record<string, unknown> = {};
    if (delay !== undefined) {
      assertFiniteAtLeast("job", "delay", delay, 0);
      script.duration = delay / 1000;
    }
    if (outcome !== undefined) {
      if (outcome !== "completed" && outcome !== "error") {
        throw new TypeError(
          `Cannot create job as 'outcome' must be "completed" or "error": current value is ${
            String(outcome)
          }`,
        );
      }
      script.outcome = outcome;
    }
    const ticket = await this.#budget.take(signal);
    const url = joinPath(this.serverUrl, "/jobs");
    const createdAt = this.#clock.now();
    const { response, text } = await this.#exchange(
      url,
      {
        method: "POST",
        headers: withDefaults(this.#headers, {
          "content-type": "application/json",
        }),
        body: JSON.stringify(script),
      },
      this.requestTimeout,
      signal,
      ticket,
    );
    if (!response.ok) {
      throw new HTTPError(response, "POST", redact(url), text);
    }
    const body = parseJson(text);
    const id = body?.id;
    const result = body?.result;
    if (typeof id !== "string" || id === "" || !isVideoStatus(result)) {
      throw new ProtocolError(
        "Expected a job with a string 'id' and a known 'result'",
        redact(url),
        text,
      );
    }
    const location = response.headers.get("location");
    const jobUrl = location === null
      ? joinPath(this.serverUrl, `/jobs/${encodeURIComponent(id)}`)
      : new URL(location, url).href;
    return { id, url: jobUrl, result, createdAt };
  }

  /**
   * Waits until a job's status is final. With a {@linkcode Job} from
   * `createJob()`, `elapsed` counts from the job's creation.
   *
   * @example
   * ```ts ignore
   * import { VideoStatusClient } from "./client.ts";
   *
   * const client = new VideoStatusClient();
   * const final = await client.waitForJob("a1b2c3", { timeout: 120_000 });
   * console.log(final.result, final.attempt, final.elapsed);
   * ```
   *
   * @param job A job id on this server, or a job from `createJob()`.
   * @param options Abort signal, timeout and update callback of this wait.
   * @returns The final update.
   * @throws {HTTPError} On a status that retrying cannot fix (e.g. 404 for an unknown job).
   * @throws {RetryError} When more than `maxRetries` consecutive requests failed.
   * @throws {TimeoutError} When the wait took longer than its timeout.
   * @throws {ProtocolError} When the server reports an unknown `result`.
   */
  waitForJob(
    job: string | Job,
    options: WaitOptions = {},
  ): Promise<FinalUpdate> {
    const { url, startedAt } = this.#target(job);
    return this.#wait(url, startedAt, options);
  }

  /**
   * Yields every status update of a job, or of `statusUrl` when no job is
   * given, ending with the final one. Breaking out of the loop aborts the
   * request in flight.
   *
   * @example
   * ```ts ignore
   * import { VideoStatusClient } from "./client.ts";
   *
   * const client = new VideoStatusClient();
   * for await (const { result, nextDelay } of client.watch()) {
   *   console.log(result, nextDelay);
   * }
   * ```
   *
   * @param job A job id, a job from `createJob()`, or nothing for `statusUrl`.
   * @param options Abort signal, timeout and update callback of this wait.
   * @returns An async iterator of updates; it throws what `waitForJob()` throws.
   */
  watch(
    job?: string | Job,
    options: WaitOptions = {},
  ): AsyncIterableIterator<StatusUpdate> {
    const { url, startedAt } = job === undefined
      ? { url: this.statusUrl, startedAt: undefined }
      : this.#target(job);
    return pushIterator<StatusUpdate>(
      (push, signal) =>
        this.#wait(url, startedAt, {
          ...options,
          signal,
          onUpdate: (update) => {
            options.onUpdate?.(update);
            push(update);
          },
        }),
      options.signal,
    );
  }

  #target(job: string | Job): { url: string; startedAt: number | undefined } {
    if (typeof job === "string") {
      if (job === "") {
        throw new TypeError("Cannot wait for a job as its id is empty");
      }
      return {
        url: joinPath(this.serverUrl, `/jobs/${encodeURIComponent(job)}`),
        startedAt: undefined,
      };
    }
    if (typeof job?.url !== "string") {
      throw new TypeError(
        "Cannot wait for a job as it must be an id or a job from createJob()",
      );
    }
    return { url: parseUrl("job.url", job.url).href, startedAt: job.createdAt };
  }

  // One async function per wait, and no timer but the one it sleeps on: the
  // deadline bounds each sleep and request instead of arming a timer of its
  // own. This keeps a sleeping wait small (see the scale benchmark); watch()
  // adapts it to an iterator.
  async #wait(
    url: string,
    startedAt: number | undefined,
    options: WaitOptions,
  ): Promise<FinalUpdate> {
    const timeout = options.timeout ?? this.timeout;
    assertFiniteAtLeast("wait", "timeout", timeout, 1);
    options.signal?.throwIfAborted();
    const clock = this.#clock;
    const now = clock.now();
    const wait: WaitState = {
      url,
      shownUrl: redact(url),
      startedAt: startedAt ?? now,
      deadline: now + timeout,
      ticket: -1,
      timeout,
      signal: options.signal,
      attempts: 0,
      lastStatus: undefined,
      onUpdate: options.onUpdate,
    };
    let mode: Strategy = this.strategy;
    let longPoll = mode === "auto" || mode === "long-poll";
    let failures = 0;
    let pendingAnswers = 0;
    let lastPendingAt = 0;
    let nextDelay = 0;
    while (true) {
      if (nextDelay > 0) {
        await clock.sleep(this.#bounded(wait, nextDelay), wait.signal);
        this.#checkDeadline(wait);
      }
      wait.ticket = await this.#takeBudget(wait);
      wait.attempts++;

      let failure: { error: unknown; retryAfter: number | undefined };
      if (mode === "sse") {
        const outcome = await this.#stream(wait);
        if (outcome.kind === "final") return outcome.update;
        if (outcome.kind === "unsupported") {
          mode = "auto";
          longPoll = true;
          nextDelay = 0;
          continue;
        }
        failure = outcome;
      } else {
        const outcome = await this.#request(wait, longPoll);
        if (outcome.kind === "status") {
          failures = 0;
          wait.lastStatus = outcome.result;
          const elapsed = clock.now() - wait.startedAt;
          const source: UpdateSource = outcome.waitApplied
            ? "long-poll"
            : "poll";
          if (isFinalStatus(outcome.result)) {
            // A held request that returns with a final status saw the change
            // as it happened; otherwise it happened since the last pending.
            const atMost = outcome.receivedAt - wait.startedAt;
            this.schedule.observe?.({
              after: outcome.waitApplied ? atMost : lastPendingAt,
              atMost,
            });
            const final: FinalUpdate = {
              result: outcome.result,
              attempt: wait.attempts,
              elapsed,
              nextDelay: undefined,
              source,
              url: wait.shownUrl,
            };
            this.#emit(wait, final);
            return final;
          }
          pendingAnswers++;
          lastPendingAt = outcome.sentAt - wait.startedAt;
          if (mode === "auto" && !outcome.waitApplied) longPoll = false;
          if (outcome.waitApplied) {
            const held = outcome.receivedAt - outcome.sentAt;
            nextDelay = Math.max(0, this.#minDelay - held);
          } else {
            nextDelay = this.#hinted(outcome.retryAfter) ??
              this.schedule.nextDelay({ attempt: pendingAnswers, elapsed });
          }
          const update: StatusUpdate = {
            result: outcome.result,
            attempt: wait.attempts,
            elapsed,
            nextDelay,
            source,
            url: wait.shownUrl,
          };
          this.#emit(wait, update);
          continue;
        }
        failure = outcome;
      }

      // A failure caused by the abort itself is not one to report.
      wait.signal?.throwIfAborted();
      failures++;
      if (failures > this.maxRetries) {
        throw new RetryError(failures, failure.error);
      }
      nextDelay = this.#hinted(failure.retryAfter) ??
        this.#retryBackoff.delay(failures);
      this.#onRetry?.({
        error: failure.error,
        failures,
        nextDelay,
        url: wait.shownUrl,
      });
    }
  }

  /** `ms`, or less if the deadline comes first; throws if it has come. */
  #bounded(wait: WaitState, ms: number): number {
    this.#checkDeadline(wait);
    return Math.min(ms, wait.deadline - this.#clock.now());
  }

  #checkDeadline(wait: WaitState, cause?: unknown): void {
    if (this.#clock.now() < wait.deadline) return;
    throw new TimeoutError(wait.timeout, wait.attempts, wait.lastStatus, {
      cause,
    });
  }

  /** A place in the request budget, given up at the deadline. */
  async #takeBudget(wait: WaitState): Promise<number> {
    if (this.#budget.unlimited) return -1;
    const controller = new AbortController();
    const onAbort = () => controller.abort(wait.signal?.reason);
    wait.signal?.addEventListener("abort", onAbort, { once: true });
    const deadline = {};
    const stopTimer = startTimer(
      this.#clock,
      this.#bounded(wait, Infinity),
      () => controller.abort(deadline),
    );
    try {
      return await this.#budget.take(controller.signal);
    } catch (error) {
      if (error === deadline) this.#checkDeadline(wait);
      throw error;
    } finally {
      stopTimer();
      wait.signal?.removeEventListener("abort", onAbort);
    }
  }

  #emit(wait: WaitState, update: StatusUpdate): void {
    this.#onUpdate?.(update);
    wait.onUpdate?.(update);
  }

  /**
   * The delay a server's hint asks for, within bounds. Jitter only lengthens
   * it ("not before"), so that clients told the same time do not return
   * together.
   */
  #hinted(retryAfter: number | undefined): number | undefined {
    if (retryAfter === undefined) return undefined;
    const bounded = Math.max(this.#minDelay, retryAfter);
    const spread = bounded * (1 + this.#jitter * this.#random());
    return Math.min(this.#maxRetryAfter, spread);
  }

  /** One status request; permanent errors and aborts are thrown. */
  async #request(
    wait: WaitState,
    longPoll: boolean,
  ): Promise<RequestOutcome> {
    const headers = withDefaults(this.#headers, { accept: "application/json" });
    let timeout = this.requestTimeout;
    if (longPoll) {
      const seconds = Math.floor(this.#longPollWait / 1000);
      headers.set("prefer", `wait=${seconds}`);
      timeout += seconds * 1000;
    }
    const sentAt = this.#clock.now();
    let exchange: { response: Response; text: string };
    try {
      exchange = await this.#exchange(
        wait.url,
        { headers },
        this.#bounded(wait, timeout),
        wait.signal,
        wait.ticket,
      );
    } catch (error) {
      if (wait.signal?.aborted) throw error;
      this.#checkDeadline(wait, error);
      return { kind: "failure", error, retryAfter: undefined };
    }
    const { response, text } = exchange;
    const receivedAt = this.#clock.now();
    const retryAfter = parseRetryAfter(
      response.headers.get("retry-after"),
      receivedAt,
    );
    if (!response.ok) {
      const error = new HTTPError(response, "GET", wait.shownUrl, text);
      if (!isRetryable(response.status)) throw error;
      return { kind: "failure", error, retryAfter };
    }
    const parsed = parseStatus(text, wait.url);
    if (parsed instanceof ProtocolError) {
      return { kind: "failure", error: parsed, retryAfter };
    }
    const applied = response.headers.get("preference-applied") ?? "";
    return {
      kind: "status",
      result: parsed,
      retryAfter,
      waitApplied: /(^|[\s,;])wait\s*=/i.test(applied),
      sentAt,
      receivedAt,
    };
  }

  /** One event-stream connection, reporting each status it carries. */
  async #stream(wait: WaitState): Promise<StreamOutcome> {
    wait.signal?.throwIfAborted();
    const url = joinPath(wait.url, "/events");
    const headers = withDefaults(this.#headers, {
      accept: "text/event-stream",
    });
    const idleTimeout = this.requestTimeout + this.#longPollWait;
    const controller = new AbortController();
    const onAbort = () => controller.abort(wait.signal?.reason);
    wait.signal?.addEventListener("abort", onAbort, { once: true });
    let stopTimer = () => {};
    const resetIdleTimer = () => {
      stopTimer();
      const ms = Math.min(idleTimeout, wait.deadline - this.#clock.now());
      stopTimer = startTimer(
        this.#clock,
        ms,
        () => controller.abort(new TimeoutError(ms, wait.attempts)),
      );
    };
    try {
      resetIdleTimer();
      this.#budget.sending(wait.ticket);
      const response = await this.#fetch(url, {
        headers,
        signal: controller.signal,
      });
      // A fetch that answered although it was aborted (an in-process
      // handler, say) must not pass for a live stream.
      controller.signal.throwIfAborted();
      const retryAfter = parseRetryAfter(
        response.headers.get("retry-after"),
        this.#clock.now(),
      );
      const type = response.headers.get("content-type") ?? "";
      if (!response.ok || !type.startsWith("text/event-stream")) {
        const { text } = await readBoundedText(response);
        if (response.ok || NO_EVENT_STREAM_STATUSES.has(response.status)) {
          return { kind: "unsupported" };
        }
        const error = new HTTPError(response, "GET", redact(url), text);
        if (!isRetryable(response.status)) throw error;
        return { kind: "failure", error, retryAfter };
      }
      if (response.body === null) return { kind: "unsupported" };
      for await (
        const event of readServerSentEvents(response.body, resetIdleTimer)
      ) {
        if (event.event !== "status") continue;
        const result = parseStatus(event.data, url);
        if (result instanceof ProtocolError) {
          return { kind: "failure", error: result, retryAfter: undefined };
        }
        wait.lastStatus = result;
        const elapsed = this.#clock.now() - wait.startedAt;
        const update = {
          result,
          attempt: wait.attempts,
          elapsed,
          nextDelay: undefined,
          source: "sse" as const,
          url: wait.shownUrl,
        };
        if (isFinalStatus(result)) {
          this.schedule.observe?.({ after: elapsed, atMost: elapsed });
          const final: FinalUpdate = { ...update, result };
          this.#emit(wait, final);
          return { kind: "final", update: final };
        }
        this.#emit(wait, update);
      }
      return {
        kind: "failure",
        error: new ProtocolError(
          "Event stream ended before a final status",
          redact(url),
          "",
        ),
        retryAfter: undefined,
      };
    } catch (error) {
      if (wait.signal?.aborted) throw error;
      if (error instanceof HTTPError || error instanceof ProtocolError) {
        throw error;
      }
      this.#checkDeadline(wait, error);
      return { kind: "failure", error, retryAfter: undefined };
    } finally {
      stopTimer();
      wait.signal?.removeEventListener("abort", onAbort);
      if (!controller.signal.aborted) controller.abort();
    }
  }

  /**
   * Sends one request (stamping its budget ticket, -1 for none) and reads
   * its body, all within `timeout`. Rejects with
   * `signal.reason` when the signal aborts, and with a `TimeoutError` when
   * the time runs out.
   */
  async #exchange(
    url: string,
    init: RequestInit,
    timeout: number,
    signal: AbortSignal | undefined,
    ticket: number,
  ): Promise<{ response: Response; text: string }> {
    // An abort that came while this request waited for its turn.
    signal?.throwIfAborted();
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const stopTimer = startTimer(
      this.#clock,
      timeout,
      () => controller.abort(new TimeoutError(timeout, 1)),
    );
    try {
      this.#budget.sending(ticket);
      const response = await this.#fetch(url, {
        ...init,
        signal: controller.signal,
      });
      // A fetch that answered although it was aborted (an in-process
      // handler, say) must not pass for an answer.
      controller.signal.throwIfAborted();
      const { text } = await readBoundedText(response);
      return { response, text };
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      stopTimer();
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

/** Calls `onFire` after `ms` on `clock`; the returned function cancels it. */
function startTimer(clock: Clock, ms: number, onFire: () => void): () => void {
  const stop = new AbortController();
  clock.sleep(ms, stop.signal).then(onFire, () => {});
  return () => stop.abort();
}

function parseUrl(name: string, value: string | URL): URL {
  try {
    return new URL(value);
  } catch (cause) {
    throw new TypeError(
      `Cannot use '${name}' as it must be an absolute URL: current value is ${
        String(value)
      }`,
      { cause },
    );
  }
}

/** Appends `path` to the URL's path, keeping its query. */
function joinPath(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, "") + path;
  return url.href;
}

/** The URL without credentials, for errors and updates. */
function redact(href: string): string {
  if (!href.includes("@")) return href;
  const url = new URL(href);
  url.username = "";
  url.password = "";
  return url.href;
}

function withDefaults(
  base: Headers,
  defaults: Record<string, string>,
): Headers {
  const headers = new Headers(base);
  for (const [name, value] of Object.entries(defaults)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  return headers;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null
      ? value as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The status in a body, or a ProtocolError to retry (unreadable body). An
 * unknown `result` value is thrown: retrying cannot make it known.
 */
function parseStatus(text: string, url: string): VideoStatus | ProtocolError {
  const body = parseJson(text);
  if (body === undefined || !("result" in body)) {
    return new ProtocolError(
      "Expected a JSON object with a 'result'",
      redact(url),
      text.slice(0, 1024),
    );
  }
  if (!isVideoStatus(body.result)) {
    throw new ProtocolError(
      `Unknown result ${JSON.stringify(body.result)}`,
      redact(url),
      text.slice(0, 1024),
    );
  }
  return body.result;
}
