/**
 * What a wait reports and takes: the updates it emits, its retry events, and
 * the options of one wait and of `createJob()`.
 *
 * @module
 */

import type { FinalStatus, VideoStatus } from "../protocol/status.ts";
import type { WebhookSource } from "./webhooks/source.ts";

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
export type UpdateSource =
  | "poll"
  | "long-poll"
  | "sse"
  | "websocket"
  | "webhook";

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
 *   describe({
 *     result: "pending",
 *     status: "pending",
 *     body: { result: "pending" },
 *     payload: { result: "pending" },
 *     attempt: 1,
 *     elapsed: 0,
 *     nextDelay: 1000,
 *     source: "poll",
 *     url: "http://x/status",
 *   }),
 *   "pending, again in 1000 ms",
 * );
 * ```
 */
export interface StatusUpdate {
  /** The status the server reported: `pending`, or final, `completed` or `error` (a failed or canceled job). */
  result: VideoStatus;
  /** The API's own status word, as the dialect read it (e.g. `processing`, `succeeded`, `canceled`). */
  status: string;
  /** The parsed JSON body of the answer (for an event stream, the event's data), status included. */
  body: Record<string, unknown>;
  /** What the job produced, as the dialect finds it (e.g. the video's URL); the whole body when the dialect names no field. */
  payload: unknown;
  /** How far the job is, from 0 to 1, when the answer says. */
  progress?: number;
  /** The API's error message, when the job failed and the answer says why. */
  error?: string;
  /** How many status requests this wait has sent so far (failed ones included); a webhook event is none. */
  attempt: number;
  /** Milliseconds since the wait started (for a created job: since its creation). */
  elapsed: number;
  /** Milliseconds until the next request, or `undefined` if this update plans none (final status, an open event stream, a webhook event). */
  nextDelay: number | undefined;
  /** How the update arrived. */
  source: UpdateSource;
  /** The status URL being watched, without credentials. */
  url: string;
}

/**
 * The last update of a wait: its status is final.
 *
 * @example Read what the server sent with the final status
 * ```ts
 * import type { FinalUpdate } from "@video-status/client";
 *
 * const videoOf = (final: FinalUpdate): unknown =>
 *   final.result === "completed" ? final.body.video_url : undefined;
 * ```
 */
export interface FinalUpdate extends StatusUpdate {
  /** `"completed"` or `"error"`. */
  result: FinalStatus;
  /** Always `undefined`: nothing follows a final status. */
  nextDelay: undefined;
}

/**
 * A request that will be sent again, as given to `onRetry`: a failure, or
 * the server pacing the client (429, or 503 with `Retry-After`).
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
  /** Why: a network error, an `HTTPError`, a `ProtocolError` or a `RequestTimeoutError`. */
  error: unknown;
  /** How many consecutive requests have failed; pacing answers do not add to it. */
  failures: number;
  /** Milliseconds until the next request. */
  nextDelay: number;
  /** The status URL, without credentials. */
  url: string;
}

/**
 * A job created on the server with `VideoStatusClient.createJob()`.
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
  /** Its status when it was created (normally `"pending"`; an answer without a status counts as pending). */
  result: VideoStatus;
  /** The API's own status word in the create answer, if it had one. */
  status?: string;
  /**
   * The final update, when the create answer already said the job ended
   * (a create the server held, as Replicate's `Prefer: wait` does):
   * `waitForJob(job)` then resolves with it without a request.
   */
  final?: FinalUpdate;
  /** The client clock's time when the creating request was sent. */
  createdAt: number;
}

/**
 * Options of `VideoStatusClient.check()`.
 *
 * @example Give one check a second
 * ```ts
 * import type { CheckOptions } from "@video-status/client";
 *
 * const options: CheckOptions = { signal: AbortSignal.timeout(1000) };
 * ```
 */
export interface CheckOptions {
  /** Aborts the request; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Options of `VideoStatusClient.cancel()`: like a check's, one request
 * that an abort signal may end.
 *
 * @example Give a cancel five seconds
 * ```ts
 * import type { CancelOptions } from "@video-status/client";
 *
 * const options: CancelOptions = { signal: AbortSignal.timeout(5000) };
 * ```
 */
export type CancelOptions = CheckOptions;

/**
 * Options for `VideoStatusClient.createJob()`.
 *
 * @example Script a job that fails after two seconds
 * ```ts
 * import type { CreateJobOptions } from "@video-status/client";
 *
 * const options: CreateJobOptions = { duration: 2000, outcome: "error" };
 * ```
 */
export interface CreateJobOptions {
  /** Scripts the job (simulator only): milliseconds until it finishes; sent as seconds. */
  duration?: number;
  /** Scripts the job (simulator only): how it ends. */
  outcome?: FinalStatus;
  /**
   * Where the server calls back when the job ends (sent as `callback_url`;
   * the simulator signs the call the way the dialect's API does); an absolute
   * `http:`/`https:` URL, such as a webhook receiver's.
   */
  callbackUrl?: string | URL;
  /** Aborts the request; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Options of one wait: `getStatus()`, `waitForJob()` or `watch()`.
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
  /**
   * Called with every update of this wait, after the client's own
   * `onUpdate`. An exception thrown here (or there) ends the wait with that
   * very exception, under every strategy: no request follows it, and no
   * update is delivered again.
   */
  onUpdate?: (update: StatusUpdate) => void;
  /**
   * Overrides the client's `webhooks` for this wait: where it hears webhook
   * events for its job. Ignored without a job id (`getStatus()`, `watch()`
   * without a job).
   */
  webhooks?: WebhookSource;
}
