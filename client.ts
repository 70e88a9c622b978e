/**
 * The client's facade: {@linkcode VideoStatusClient} waits for a video
 * translation job with as few requests as possible and reports the result
 * as soon as it exists. Runtime-agnostic: it uses only web-standard APIs, so
 * it runs in Deno, Node, Bun and browsers.
 *
 * The layer below is `client/`: the wait engine (`engine.ts`), one file per
 * transport (`poll.ts`, `sse.ts`, `websocket.ts`), webhooks beside them
 * (`webhook_wait.ts`, `webhooks/`), the one-shot `check.ts`,
 * reading an answer through the dialect (`answer.ts`), sending one request
 * (`request.ts`), the options (`options.ts`, `dialect_options.ts`) and the
 * settings they become (`settings.ts`), the request budget and the errors.
 *
 * @module
 */

import { checkOnce } from "./client/check.ts";
import { createJob } from "./client/create_job.ts";
import {
  type EngineSettings,
  runWait,
  type WaitTarget,
} from "./client/engine.ts";
import type { Strategy, VideoStatusClientOptions } from "./client/options.ts";
import { type ClientSettings, resolveOptions } from "./client/settings.ts";
import { PollTransport } from "./client/poll.ts";
import { pushIterator } from "./client/push_iterator.ts";
import { SseTransport } from "./client/sse.ts";
import type { Transport } from "./client/transport.ts";
import { WebSocketTransport } from "./client/websocket.ts";
import type {
  CheckOptions,
  CreateJobOptions,
  FinalUpdate,
  Job,
  StatusUpdate,
  WaitOptions,
} from "./client/types.ts";
import { parseUrl } from "./client/url.ts";
import type { Dialect } from "./protocol/dialect.ts";
import { jobUrl } from "./protocol/dialects/route.ts";
import { type FinalStatus, isFinalStatus } from "./protocol/status.ts";
import type { PollSchedule } from "./timing/schedule.ts";
import { assertFiniteAtLeast } from "./util/validate.ts";

export type { Strategy, VideoStatusClientOptions } from "./client/options.ts";
export type { HeaderValues } from "./client/headers.ts";
export type { RequestBudget } from "./client/request_budget.ts";
export type { AllowedOrigin } from "./client/origin.ts";
export type {
  CheckOptions,
  CreateJobOptions,
  FinalUpdate,
  Job,
  RetryEvent,
  StatusUpdate,
  UpdateSource,
  WaitOptions,
} from "./client/types.ts";
export type {
  WebSocketClass,
  WebSocketEventLike,
  WebSocketLike,
  WebSocketOptions,
} from "./client/websocket.ts";
export type { WebhookOptions } from "./client/webhook_wait.ts";
export type { WebhookEvent, WebhookSource } from "./client/webhooks/source.ts";

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
 *   console.log(update.result, update.elapsed, update.body);
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
  /** The dialect in use: the job API's wire shape. */
  readonly dialect: Dialect;

  #settings: ClientSettings & EngineSettings;

  /**
   * Creates a client. Nothing is sent until a method is called.
   *
   * @example
   * ```ts
   * import { VideoStatusClient } from "@video-status/client";
   * import assert from "node:assert/strict";
   *
   * const client = new VideoStatusClient({ serverUrl: "http://example.test/api" });
   * assert.equal(client.statusUrl, "http://example.test/api/status");
   * assert.equal(client.dialect.name, "video-status");
   * ```
   *
   * @param options The client's settings.
   * @throws {TypeError} If a URL option is not an absolute http(s) URL without user info, or `headers`, `allowedOrigins`, `strategy`, `fetch` or `webSocket` is not valid.
   * @throws {RangeError} If a number is out of range.
   */
  constructor(options: VideoStatusClientOptions = {}) {
    const settings = resolveOptions(options);
    this.#settings = settings;
    this.serverUrl = settings.serverUrl;
    this.statusUrl = settings.statusUrl;
    this.maxRetries = settings.maxRetries;
    this.timeout = settings.timeout;
    this.requestTimeout = settings.requestTimeout;
    this.strategy = settings.strategy;
    this.schedule = settings.schedule;
    this.dialect = settings.dialect;
  }

  /**
   * Waits until the status at `statusUrl` is final and returns it, like the
   * seed's `get_status()`. `"error"` is a final status, not an exception.
   * Its job's start is unknown, so it teaches the schedule nothing.
   *
   * @example
   * ```ts ignore
   * import { VideoStatusClient } from "@video-status/client";
   *
   * const status = await new VideoStatusClient().getStatus({ timeout: 60_000 });
   * ```
   *
   * @param options Abort signal, timeout and update callback of this wait.
   * @returns `"completed"` or `"error"`.
   * @throws {HTTPError} On a status that retrying cannot fix (400, 401, 403, 404 …).
   * @throws {RetryError} When more than `maxRetries` consecutive requests failed.
   * @throws {TimeoutError} When the wait took longer than its timeout.
   * @throws {ProtocolError} When the server reports a status word the dialect does not know (naming the word and the field).
   * @throws {RequestError} On a redirect the client refuses (another origin, too many) or a request it cannot make.
   * @throws {RangeError} When the schedule returns a delay that is not a non-negative finite number.
   */
  getStatus(options: WaitOptions = {}): Promise<FinalStatus> {
    return this.#wait({ url: this.statusUrl, startedAt: undefined }, options)
      .then((update) => update.result);
  }

  /**
   * Creates a job: `POST` to the dialect's create path (`{serverUrl}/jobs`
   * by default) with the simulator's script. The request is not retried, as
   * creating is not idempotent. The job's URL is the answer's `Location`
   * (the dialect's location header, e.g. Azure's `Operation-Location`), else
   * the dialect's status path for the id the answer names. When the dialect
   * allows it (Replicate), the request carries `Prefer: wait=N` (N: whole
   * seconds of `longPollWait`, at most 60), its timeout is extended by as
   * much, and a job the answer already shows ended carries its final update
   * in `job.final`, so that `waitForJob(job)` sends no request.
   *
   * @example
   * ```ts ignore
   * import { VideoStatusClient } from "@video-status/client";
   *
   * const client = new VideoStatusClient();
   * const job = await client.createJob({ duration: 2000, outcome: "completed" });
   * const final = await client.waitForJob(job);
   * ```
   *
   * @param options Scripted duration and outcome, and an abort signal.
   * @returns The created job.
   * @throws {HTTPError} When the server refuses (any non-2xx status).
   * @throws {ProtocolError} When the answer names no job, or has a status word the dialect does not know.
   * @throws {RequestTimeoutError} When the request took longer than `requestTimeout`.
   * @throws {NetworkError} When the request got no answer.
   * @throws {RequestError} On a redirect or `Location` to an origin not allowed, or too many redirects.
   * @throws {RangeError} When `duration` is negative or not finite.
   * @throws {TypeError} When `outcome` is not `"completed"` or `"error"`, or the dialect has no create path.
   */
  createJob(options: CreateJobOptions = {}): Promise<Job> {
    return createJob(this.#settings, options);
  }

  /**
   * Asks once for a job's status (or `statusUrl`'s, when no job is given)
   * and returns the current update, pending or final: one request, no
   * waiting, no retry (core-lro's `poll()`). It takes its place in the
   * request budget like any request; `onUpdate` is not called.
   *
   * @example
   * ```ts
   * import { VideoStatusClient } from "@video-status/client";
   * import { FakeClock, json, scriptedFetch } from "@video-status/client/testing";
   * import assert from "node:assert/strict";
   *
   * const { fetch } = scriptedFetch([json({ status: "processing" })]);
   * const client = new VideoStatusClient({ dialect: "replicate", fetch, clock: new FakeClock() });
   * const update = await client.check("p1");
   * assert.equal(update.result, "pending");
   * assert.equal(update.status, "processing");
   * ```
   *
   * @param job A job id, a job from `createJob()`, or nothing for `statusUrl`.
   * @param options An abort signal.
   * @returns The update the answer makes.
   * @throws {HTTPError} On any status but 2xx.
   * @throws {ProtocolError} When the answer is unreadable or has a word the dialect does not know.
   * @throws {NetworkError} When the request got no answer.
   * @throws {RequestTimeoutError} When the request took longer than `requestTimeout`.
   * @throws {RequestError} On a redirect the client refuses (another origin, too many) or a request it cannot make.
   * @throws {TypeError} When `job` is not an id or a job on an allowed origin.
   */
  check(job?: string | Job, options: CheckOptions = {}): Promise<StatusUpdate> {
    const target = job === undefined
      ? { url: this.statusUrl, startedAt: undefined }
      : this.#target(job);
    return checkOnce(this.#settings, target, options);
  }

  /**
   * Waits until a job's status is final. With a {@linkcode Job} from
   * `createJob()`, `elapsed` counts from the job's creation and the wait
   * teaches the schedule how long the job took; with an id it does not.
   *
   * @example
   * ```ts ignore
   * import { VideoStatusClient } from "@video-status/client";
   *
   * const client = new VideoStatusClient();
   * const final = await client.waitForJob("a1b2c3", { timeout: 120_000 });
   * console.log(final.result, final.attempt, final.elapsed, final.body);
   * ```
   *
   * @param job A job id on this server (its URL is the dialect's status path), or a job from `createJob()`.
   * @param options Abort signal, timeout and update callback of this wait.
   * @returns The final update.
   * @throws {HTTPError} On a status that retrying cannot fix (e.g. 404 for an unknown job).
   * @throws {RetryError} When more than `maxRetries` consecutive requests failed.
   * @throws {TimeoutError} When the wait took longer than its timeout.
   * @throws {ProtocolError} When the server reports a status word the dialect does not know (naming the word and the field).
   * @throws {RequestError} On a redirect the client refuses (another origin, too many) or a request it cannot make.
   * @throws {RangeError} When the schedule returns a delay that is not a non-negative finite number.
   * @throws {TypeError} When `job.url` is not an http(s) URL on an allowed origin.
   */
  waitForJob(
    job: string | Job,
    options: WaitOptions = {},
  ): Promise<FinalUpdate> {
    return this.#wait(this.#target(job), options);
  }

  /**
   * Yields the status updates of a job, or of `statusUrl` when no job is
   * given, ending with the final one. Breaking out of the loop ends the wait
   * and aborts the request in flight.
   *
   * The wait keeps its own pace whatever the loop's: between the wait and
   * the loop at most one update waits to be taken, the newest. An update
   * that a newer one replaces before the loop took it is dropped; the final
   * update is never dropped. (`onUpdate` still sees every update.) Once
   * `signal` aborts, nothing more is yielded: the loop throws
   * `signal.reason` at its next step.
   *
   * @example
   * ```ts ignore
   * import { VideoStatusClient } from "@video-status/client";
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
    const target = job === undefined
      ? { url: this.statusUrl, startedAt: undefined }
      : this.#target(job);
    return pushIterator<StatusUpdate>(
      (push, signal) =>
        this.#wait(target, {
          ...options,
          signal,
          onUpdate: (update) => {
            options.onUpdate?.(update);
            push(update, isFinalStatus(update.result));
          },
        }),
      options.signal,
    );
  }

  #target(job: string | Job): WaitTarget {
    if (typeof job === "string") {
      if (job === "") {
        throw new TypeError("Cannot wait for a job as its id is empty");
      }
      return {
        url: jobUrl(this.serverUrl, this.#settings.dialect, job),
        startedAt: undefined,
        jobId: job,
      };
    }
    if (typeof job?.url !== "string") {
      throw new TypeError(
        "Cannot wait for a job as it must be an id or a job from createJob()",
      );
    }
    const url = parseUrl("wait for a job", "job.url", job.url);
    if (this.#settings.origins.reach(url) === "refused") {
      throw new TypeError(
        `Cannot wait for a job as 'job.url' must be on the origin of 'serverUrl' or 'statusUrl' or of an entry of 'allowedOrigins': current value is ${url.href}`,
      );
    }
    return {
      url: url.href,
      startedAt: job.createdAt,
      final: job.final,
      jobId: job.id,
    };
  }

  // Not async itself, so that a sleeping wait keeps no frame here: only the
  // engine's.
  #wait(
    target: WaitTarget,
    options: WaitOptions,
  ): Promise<FinalUpdate> {
    try {
      const timeout = options.timeout ?? this.timeout;
      assertFiniteAtLeast("wait", "timeout", timeout, 1);
      if (target.final !== undefined) {
        // The create answer already said the job ended: nothing to ask.
        options.signal?.throwIfAborted();
        this.#settings.onUpdate?.(target.final);
        options.onUpdate?.(target.final);
        return Promise.resolve(target.final);
      }
      return runWait(
        this.#settings,
        this.#transport(),
        target,
        timeout,
        options,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A fresh transport for one wait, as the strategy says. */
  #transport(): Transport {
    const settings = this.#settings;
    switch (this.strategy) {
      case "poll":
        return new PollTransport(settings, "never");
      case "long-poll":
        return new PollTransport(settings, "always");
      case "auto":
        return new PollTransport(settings, "auto");
      case "sse":
        return new SseTransport(settings, () => this.#polling());
      case "websocket":
        return new WebSocketTransport(settings, () => this.#polling());
    }
  }

  /** What the push strategies fall back to where the server offers no push. */
  #polling(): Transport {
    return new PollTransport(this.#settings, "auto");
  }
}
