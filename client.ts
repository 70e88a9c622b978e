/**
 * The client's facade: {@linkcode VideoStatusClient} waits for a video
 * translation job with as few requests as possible and reports the result
 * as soon as it exists. Runtime-agnostic: it uses only web-standard APIs, so
 * it runs in Deno, Node, Bun and browsers.
 *
 * The layer below is `client/`: the wait engine (`engine.ts`) and the
 * decisions it drives (`wait_machine.ts`, which `step.ts` drives one request
 * at a time), the transports (`strategy.ts` picks one), webhooks, the
 * one-shot `check.ts`, the options and the settings they become, the
 * request budget and the errors.
 *
 * @module
 */

import { cancelJob } from "./client/cancel.ts";
import { checkOnce } from "./client/check.ts";
import { createJob } from "./client/create_job.ts";
import type { EngineSettings } from "./client/engine.ts";
import type { Strategy, VideoStatusClientOptions } from "./client/options.ts";
import { type ClientSettings, resolveOptions } from "./client/settings.ts";
import { pushIterator } from "./client/push_iterator.ts";
import { runStep, type StepOptions, type StepResult } from "./client/step.ts";
import { isWaitState, type WaitState } from "./client/step_state.ts";
import { targetOf } from "./client/target.ts";
import { runWaitFrom, waitStart } from "./client/wait.ts";
import type { WaitTarget } from "./client/wait_machine.ts";
import type {
  CancelOptions,
  CheckOptions,
  CreateJobOptions,
  FinalUpdate,
  Job,
  StatusUpdate,
  WaitOptions,
} from "./client/types.ts";
import type { Dialect } from "./protocol/dialect.ts";
import { type FinalStatus, isFinalStatus } from "./protocol/status.ts";
import type { PollSchedule } from "./timing/schedule.ts";

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
    return this.#wait(targetOf(this.#settings, undefined), options)
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
    return checkOnce(this.#settings, targetOf(this.#settings, job), options);
  }

  /**
   * Asks the server to stop a job (`POST /jobs/{id}/cancel` here, Replicate's
   * `POST /v1/predictions/{id}/cancel`, Google's `POST /v1/{name}:cancel`):
   * the dialect's `cancelRequest` to `serverUrl`, sent once with the
   * client's headers, budget and `requestTimeout`. It resolves once the
   * server accepted; the job then ends canceled as the server decides (a
   * wait on it ends with `result: "error"`). Aborting a wait's signal, by
   * contrast, only stops waiting: the job runs on.
   *
   * @example
   * ```ts
   * import { VideoStatusClient } from "@video-status/client";
   * import { FakeClock, json, scriptedFetch } from "@video-status/client/testing";
   * import assert from "node:assert/strict";
   *
   * const { fetch, requests } = scriptedFetch([json({ status: "canceled" })]);
   * const client = new VideoStatusClient({ dialect: "replicate", serverUrl: "https://api.example.com", fetch, clock: new FakeClock() });
   * await client.cancel("p1");
   * assert.equal(requests[0].method, "POST");
   * assert.equal(requests[0].url, "https://api.example.com/v1/predictions/p1/cancel");
   * ```
   *
   * @param job A job id, or a job from `createJob()` (its `id` is used).
   * @param options An abort signal.
   * @throws {HTTPError} On any status but 2xx.
   * @throws {NetworkError} When the request got no answer.
   * @throws {RequestTimeoutError} When the request took longer than `requestTimeout`.
   * @throws {RequestError} On a redirect the client refuses (another origin, too many).
   * @throws {TypeError} When the dialect has no `cancelRequest` (its API cannot stop a job), or `job` is no id.
   */
  cancel(job: string | Job, options: CancelOptions = {}): Promise<void> {
    return cancelJob(this.#settings, job, options);
  }

  /**
   * Waits until a job's status is final. With a {@linkcode Job} from
   * `createJob()`, `elapsed` counts from the job's creation and the wait
   * teaches the schedule how long the job took; with an id it does not.
   * With a {@linkcode WaitState} from `step()`, it resumes that wait: same
   * deadline, same place in the schedule (webhooks, when configured, are
   * heard from then on).
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
   * @param job A job id on this server (its URL is the dialect's status path), a job from `createJob()`, or a state from `step()`.
   * @param options Abort signal, timeout (not with a state) and update callback of this wait.
   * @returns The final update.
   * @throws {HTTPError} On a status that retrying cannot fix (e.g. 404 for an unknown job).
   * @throws {RetryError} When more than `maxRetries` consecutive requests failed.
   * @throws {TimeoutError} When the wait took longer than its timeout.
   * @throws {ProtocolError} When the server reports a status word the dialect does not know (naming the word and the field).
   * @throws {RequestError} On a redirect the client refuses (another origin, too many) or a request it cannot make.
   * @throws {RangeError} When the schedule returns a delay that is not a non-negative finite number.
   * @throws {TypeError} When `job.url` is not an http(s) URL on an allowed origin, or a state is not one this client can resume (see `step()`).
   */
  waitForJob(
    job: string | Job | WaitState,
    options: WaitOptions = {},
  ): Promise<FinalUpdate> {
    return this.#wait(this.#from(job), options);
  }

  /**
   * Makes one status request of a wait (none on a first step whose
   * schedule defers the first request: see `PollSchedule.firstDelay()`)
   * and says what comes next, for a caller that sleeps on its own (a job
   * queue, a workflow engine, a cron):
   * the update, whether it is final, the `delay` to sleep before the next
   * step, and the wait's `state`, plain JSON, to give that step, in this
   * process or another. Steps follow the schedule, hints, retries and
   * deadline of `waitForJob()`: with the same clock and random source they
   * send the requests an uninterrupted wait would. A step never sleeps; it
   * polls (a push strategy's wait polls, one request a step) and hears no
   * webhooks. A failed request that may be retried resolves with no update
   * and the backoff's delay; the step past `maxRetries` consecutive
   * failures throws the RetryError.
   *
   * @example Step until the job ends
   * ```ts
   * import { VideoStatusClient } from "@video-status/client";
   * import { FakeClock, json, scriptedFetch } from "@video-status/client/testing";
   * import assert from "node:assert/strict";
   *
   * const clock = new FakeClock();
   * const { fetch } = scriptedFetch([json({ result: "pending" }), json({ result: "completed" })]);
   * const client = new VideoStatusClient({ fetch, clock, strategy: "poll" });
   * let step = await client.step("job-1", { timeout: 60_000 });
   * while (!step.done) {
   *   const saved = JSON.stringify(step.state); // e.g. in a queue job's data
   *   await clock.sleep(step.delay);
   *   step = await client.step(JSON.parse(saved));
   * }
   * assert.equal(step.update.result, "completed");
   * ```
   *
   * @param job A job id, a job from `createJob()` (first step), or the state a step returned.
   * @param options Abort signal and update callback; the wait's timeout on the first step.
   * @returns What the step heard and what comes next.
   * @throws {TimeoutError} When the step comes at or past the wait's deadline.
   * @throws {RetryError} When more than `maxRetries` consecutive requests failed.
   * @throws {HTTPError} On a status that retrying cannot fix.
   * @throws {ProtocolError} When the server reports a status word the dialect does not know.
   * @throws {RequestError} On a redirect the client refuses or a request it cannot make.
   * @throws {RangeError} When the schedule returns a delay that is not a non-negative finite number.
   * @throws {TypeError} When the job is not valid, or the state is not one of this client's dialect and allowed origins, has ended, is of another format version, or has fields that contradict each other; or `timeout` comes with a state.
   */
  step(
    job: string | Job | WaitState,
    options: StepOptions = {},
  ): Promise<StepResult> {
    try {
      const start = waitStart(this.#settings, this.#from(job), options.timeout);
      return runStep(this.#settings, start, options);
    } catch (error) {
      return Promise.reject(error);
    }
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
    const target = targetOf(this.#settings, job);
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

  /** A job's target (a bad job throws here), or a state as it is (checked as the wait starts). */
  #from(job: string | Job | WaitState): WaitTarget | WaitState {
    return isWaitState(job) ? job : targetOf(this.#settings, job);
  }

  #wait(
    from: WaitTarget | WaitState,
    options: WaitOptions,
  ): Promise<FinalUpdate> {
    return runWaitFrom(this.#settings, from, options);
  }
}
