/**
 * A dialect is the one place that knows a job API's wire shape: where a job's
 * status lives, how an answer reads as `pending` / `completed` / `error`
 * (with the vendor's own word, progress, an error message, a time hint and
 * the payload), and, for the simulator, how the vendor writes a job.
 *
 * Both ends of the wire share it: the client reads with it, the simulator
 * writes with it. It does no I/O.
 *
 * @module
 */

import type { VideoStatus } from "./status.ts";
import type { JobRoute } from "./dialects/route.ts";
import type { WebhookScheme } from "./webhook_scheme.ts";

/**
 * What one status answer says, in the client's terms and the vendor's.
 *
 * @example
 * ```ts
 * import type { Reading } from "./dialect.ts";
 *
 * const reading: Reading = {
 *   result: "pending",
 *   status: "processing",
 *   progress: 0.4,
 *   payload: null,
 * };
 * ```
 */
export interface Reading {
  /** `pending`, or final: `completed` or `error` (failed and canceled jobs). */
  result: VideoStatus;
  /** The vendor's own status word, verbatim (e.g. `processing`, `canceled`). */
  status: string;
  /** How far the job is, from 0 to 1, when the answer says. */
  progress?: number;
  /** The vendor's error message, when the job failed and the answer says why. */
  error?: string;
  /** Milliseconds to wait before asking again, from a time hint in the answer. */
  retryAfter?: number;
  /** What the job produced (or the whole body when the dialect names no field). */
  payload: unknown;
}

/**
 * Why an answer could not be read. A `missing` status (the body is not the
 * expected object, or lacks the field) may be a passing fault and is worth a
 * retry; an `unknown` word will not become known by asking again.
 *
 * @example
 * ```ts
 * import type { ReadProblem } from "./dialect.ts";
 *
 * const problem: ReadProblem = {
 *   problem: "unknown",
 *   field: "data.status",
 *   value: "archived",
 *   message: 'Unknown data.status "archived"',
 * };
 * ```
 */
export interface ReadProblem {
  /** `missing`: no status in the answer; `unknown`: a word the dialect does not know. */
  problem: "missing" | "unknown";
  /** The field (dotted path) the status was expected in. */
  field: string;
  /** The value found, for an unknown word. */
  value?: unknown;
  /** A sentence naming the field and the word, for an error message. */
  message: string;
}

/**
 * Tells a {@linkcode ReadProblem} from a {@linkcode Reading}.
 *
 * @example
 * ```ts
 * import { isReadProblem } from "./dialect.ts";
 * import { VIDEO_STATUS } from "./dialects/video_status.ts";
 * import assert from "node:assert/strict";
 *
 * const headers = new Headers();
 * assert.equal(isReadProblem(VIDEO_STATUS.read({ result: "pending" }, headers, 0)), false);
 * assert.equal(isReadProblem(VIDEO_STATUS.read({}, headers, 0)), true);
 * ```
 *
 * @param value What {@linkcode Dialect.read} returned.
 * @returns `true` for a problem.
 */
export function isReadProblem(
  value: Reading | ReadProblem,
): value is ReadProblem {
  return "problem" in value;
}

/** A job's state as the simulator holds it; canceled is a final state of its own. */
export type JobSnapshotStatus = VideoStatus | "canceled";

/**
 * A job at one moment, as the simulator hands it to {@linkcode Dialect.write}.
 *
 * @example
 * ```ts
 * import type { JobSnapshot } from "./dialect.ts";
 *
 * const job: JobSnapshot = {
 *   id: "a1",
 *   status: "completed",
 *   progress: 1,
 *   createdAt: Date.UTC(2026, 0, 1),
 *   finishedAt: Date.UTC(2026, 0, 1, 0, 1),
 *   videoUrl: "https://example.com/a1.mp4",
 * };
 * ```
 */
export interface JobSnapshot {
  /** The job's id. */
  id: string;
  /** Its state. */
  status: JobSnapshotStatus;
  /** How far it is, from 0 to 1. */
  progress: number;
  /** When it was created, in Unix epoch milliseconds. */
  createdAt: number;
  /** When it ended, in Unix epoch milliseconds, once final. */
  finishedAt?: number;
  /** The (fake) URL of the finished video, once completed. */
  videoUrl?: string;
  /** Why it failed or was canceled. */
  errorMessage?: string;
}

/**
 * The header an API takes its key in: `{ name: "x-api-key" }` sends the key
 * as is, `{ name: "authorization", scheme: "Bearer" }` sends `Bearer KEY`.
 *
 * @example
 * ```ts
 * import type { AuthHeader } from "./dialect.ts";
 *
 * const auth: AuthHeader = { name: "authorization", scheme: "Bearer" };
 * ```
 */
export interface AuthHeader {
  /** The header's name, lower case. */
  name: string;
  /** The scheme before the key (e.g. `Bearer`), if any. */
  scheme?: string;
}

/**
 * The value of an {@linkcode AuthHeader} for a key.
 *
 * @example
 * ```ts
 * import { authHeaderValue } from "./dialect.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(authHeaderValue({ name: "authorization", scheme: "Bearer" }, "k"), "Bearer k");
 * assert.equal(authHeaderValue({ name: "x-api-key" }, "k"), "k");
 * ```
 *
 * @param auth The header.
 * @param key The API key.
 * @returns What to send in the header.
 */
export function authHeaderValue(auth: AuthHeader, key: string): string {
  return auth.scheme === undefined ? key : `${auth.scheme} ${key}`;
}

/**
 * How an API stops a job: the request that asks the server to cancel it.
 *
 * @example Replicate's cancel
 * ```ts
 * import type { CancelRequest } from "./dialect.ts";
 *
 * const cancel: CancelRequest = { method: "POST", path: "/v1/predictions/{id}/cancel", answer: "job" };
 * ```
 */
export interface CancelRequest {
  /** The request's method. */
  readonly method: "POST" | "DELETE";
  /** The path template relative to the base URL, with `{id}` once, as `jobPath`'s. */
  readonly path: string;
  /**
   * What a successful answer holds, for the simulator: the job as a status
   * answer writes it (`"job"`), or an empty JSON object (`"empty"`, Google's).
   */
  readonly answer: "job" | "empty";
}

/**
 * A job API's wire shape. `defineDialect()` (./dialects/define.ts) builds one
 * from a status field and its words; for anything else, write the object
 * (with `jobRoute()` of ./dialects/route.ts for `jobPath` and `jobId`).
 *
 * @example A dialect written by hand
 * ```ts
 * import type { Dialect } from "./dialect.ts";
 * import { jobRoute } from "./dialects/route.ts";
 * import assert from "node:assert/strict";
 *
 * const tasks: Dialect = {
 *   name: "tasks",
 *   ...jobRoute("/tasks/{id}"),
 *   read(body) {
 *     const state = (body as { state?: unknown }).state;
 *     if (state === "DONE") return { result: "completed", status: state, payload: body };
 *     if (typeof state === "number") {
 *       return { result: "pending", status: "running", progress: state, payload: body };
 *     }
 *     return { problem: "missing", field: "state", message: "Expected a JSON object with a 'state'" };
 *   },
 *   idOf: () => undefined,
 *   write: (job) => ({ state: job.status === "completed" ? "DONE" : job.progress }),
 * };
 * assert.equal(tasks.jobPath("t1"), "/tasks/t1");
 * assert.deepEqual(tasks.read({ state: 0.5 }, new Headers(), 0), {
 *   result: "pending", status: "running", progress: 0.5, payload: { state: 0.5 },
 * });
 * ```
 */
export interface Dialect extends JobRoute {
  /** The dialect's name (a preset's name, or any name for a custom one). */
  readonly name: string;
  /** The path jobs are created at (`POST`), relative to the base URL, if the API has one. */
  readonly createPath?: string;
  /** The header of a create answer that holds the job's status URL; `location` when absent. */
  readonly locationHeader?: string;
  /** Whether the create request may carry `Prefer: wait` to be held until the job ends. */
  readonly preferWait?: boolean;
  /** The header the API takes its key in, if any. */
  readonly authHeader?: AuthHeader;
  /** The request that asks the server to stop a job, if the API has one. */
  readonly cancelRequest?: CancelRequest;
  /**
   * How the API signs its webhooks: the receiver verifies and the simulator
   * signs callbacks with it. Standard Webhooks when absent.
   */
  readonly webhookScheme?: WebhookScheme;
  /**
   * Reads one status answer.
   *
   * @param body The parsed JSON body (any value: checking it is the dialect's job).
   * @param headers The answer's headers.
   * @param now The current time in Unix epoch milliseconds, for time hints.
   * @returns The reading, or why there is none.
   */
  read(body: unknown, headers: Headers, now: number): Reading | ReadProblem;
  /**
   * The job's id in a status or create answer, when the answer holds it
   * (a create answer without a `Location` names the job this way).
   *
   * @param body The parsed JSON body.
   * @returns The id, or `undefined`.
   */
  idOf(body: unknown): string | undefined;
  /**
   * Writes the body the vendor would send for a job, for the simulator.
   *
   * @param job The job.
   * @returns The JSON body.
   */
  write(job: JobSnapshot): Record<string, unknown>;
}
