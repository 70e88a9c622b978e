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
import { type JobRoute, jobRoute } from "./dialects/route.ts";
import { getField, getText, setField } from "./dialects/_fields.ts";
import { show } from "../util/validate.ts";

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
 * A job API's wire shape. {@linkcode defineDialect} builds one from a few
 * fields; for anything else, write the object (use
 * {@linkcode jobRoute} for `jobPath` and `jobId`).
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

/**
 * The fields of a dialect built by {@linkcode defineDialect}.
 *
 * @example
 * ```ts
 * import type { DialectSpec } from "./dialect.ts";
 *
 * const spec: DialectSpec = {
 *   name: "renders",
 *   jobPath: "/renders/{id}",
 *   statusField: "data.status",
 *   pending: ["queued", "rendering"],
 *   completed: ["done"],
 *   error: ["failed"],
 * };
 * ```
 */
export interface DialectSpec {
  /** The dialect's name. */
  name: string;
  /** The status path template, `{id}` once, e.g. `/jobs/{id}` or `/status?job_id={id}`. */
  jobPath: string;
  /** See {@linkcode Dialect.createPath}. */
  createPath?: string;
  /** See {@linkcode Dialect.locationHeader}. */
  locationHeader?: string;
  /** See {@linkcode Dialect.preferWait}. */
  preferWait?: boolean;
  /** See {@linkcode Dialect.authHeader}. */
  authHeader?: AuthHeader;
  /** The dotted path of the status word, e.g. `data.status`. */
  statusField: string;
  /** Words of a job still running; the simulator writes the first while progress is 0, then the last. */
  pending: readonly string[];
  /** Words of a job done well; the simulator writes the first. */
  completed: readonly string[];
  /** Words of a failed job (read as `error`); the simulator writes the first. */
  error: readonly string[];
  /**
   * Words of a canceled job (read as `error`, the word kept).
   *
   * @default {[]} (the simulator writes the first `error` word)
   */
  canceled?: readonly string[];
  /**
   * Read a word in none of the lists as `pending` instead of a problem.
   *
   * @default {false}
   */
  unknownAsPending?: boolean;
  /** The dotted path of the progress number, if the API gives one. */
  progressField?: string;
  /**
   * What the progress number counts to: 1 for a fraction, 100 for a
   * percentage (written rounded to an integer).
   *
   * @default {1}
   */
  progressScale?: number;
  /** The dotted path of the error message of a failed job. */
  errorField?: string;
  /** The dotted path of the payload (e.g. the video URL); the whole body when absent. */
  payloadField?: string;
  /** The dotted path of the job's id, read by {@linkcode Dialect.idOf} and written by the simulator. */
  idField?: string;
  /**
   * The rest of the vendor's body, for the simulator: the fields above are
   * written into it.
   *
   * @default {() => ({})}
   */
  shape?: (job: JobSnapshot) => Record<string, unknown>;
}

/**
 * Builds a {@linkcode Dialect} from a status field and its words: the common
 * case of a JSON body with a status word at a known place.
 *
 * @example Read a custom API
 * ```ts
 * import { defineDialect } from "./dialect.ts";
 * import assert from "node:assert/strict";
 *
 * const renders = defineDialect({
 *   name: "renders",
 *   jobPath: "/renders/{id}",
 *   statusField: "data.status",
 *   pending: ["queued", "rendering"],
 *   completed: ["done"],
 *   error: ["failed"],
 *   progressField: "data.percent",
 *   progressScale: 100,
 *   payloadField: "data.url",
 * });
 * const body = { data: { status: "rendering", percent: 40, url: null } };
 * assert.deepEqual(renders.read(body, new Headers(), 0), {
 *   result: "pending", status: "rendering", progress: 0.4, payload: null,
 * });
 * assert.deepEqual(renders.read({ data: { status: "lost" } }, new Headers(), 0), {
 *   problem: "unknown",
 *   field: "data.status",
 *   value: "lost",
 *   message: 'Unknown data.status "lost"',
 * });
 * ```
 *
 * @param spec The fields.
 * @returns The dialect.
 * @throws {TypeError} When a field is malformed or a word is in two lists.
 * @throws {RangeError} When `progressScale` is not a positive number.
 */
export function defineDialect(spec: DialectSpec): Dialect {
  const subject = `the dialect ${show(spec?.name)}`;
  if (typeof spec?.name !== "string" || spec.name === "") {
    throw new TypeError(
      `Cannot create the dialect as 'name' must be a non-empty string: current value is ${
        show(spec?.name)
      }`,
    );
  }
  assertPath(subject, "statusField", spec.statusField);
  const words = wordTable(subject, spec);
  const scale = spec.progressScale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new RangeError(
      `Cannot create ${subject} as 'progressScale' must be a positive finite number: current value is ${
        show(scale)
      }`,
    );
  }
  for (const name of OPTIONAL_PATHS) {
    if (spec[name] !== undefined) assertPath(subject, name, spec[name]);
  }
  const { statusField, progressField, errorField, payloadField } = spec;
  const canceled = spec.canceled ?? [];
  return {
    name: spec.name,
    ...jobRoute(spec.jobPath),
    createPath: spec.createPath,
    locationHeader: spec.locationHeader,
    preferWait: spec.preferWait,
    authHeader: spec.authHeader,
    idOf: (body) =>
      spec.idField === undefined ? undefined : getText(body, spec.idField),
    read(body: unknown): Reading | ReadProblem {
      const word = getField(body, statusField);
      if (typeof word !== "string" && typeof word !== "number") {
        return {
          problem: "missing",
          field: statusField,
          message: `Expected a JSON object with a '${statusField}'`,
        };
      }
      const status = String(word);
      const result = words.get(status) ??
        (spec.unknownAsPending ? "pending" : undefined);
      if (result === undefined) {
        return {
          problem: "unknown",
          field: statusField,
          value: word,
          message: `Unknown ${statusField} ${JSON.stringify(word)}`,
        };
      }
      const reading: Reading = {
        result,
        status,
        payload: payloadField === undefined
          ? body
          : getField(body, payloadField) ?? null,
      };
      const progress = progressField === undefined
        ? undefined
        : getField(body, progressField);
      if (typeof progress === "number" && Number.isFinite(progress)) {
        reading.progress = Math.min(1, Math.max(0, progress / scale));
      }
      const error = errorField === undefined || result !== "error"
        ? undefined
        : getText(body, errorField);
      if (error !== undefined) reading.error = error;
      return reading;
    },
    write(job: JobSnapshot): Record<string, unknown> {
      const body = spec.shape?.(job) ?? {};
      if (spec.idField !== undefined) setField(body, spec.idField, job.id);
      setField(body, statusField, wordOf(spec, canceled, job));
      if (progressField !== undefined) {
        const value = job.progress * scale;
        setField(body, progressField, scale === 1 ? value : Math.round(value));
      }
      if (
        errorField !== undefined && job.errorMessage !== undefined &&
        (job.status === "error" || job.status === "canceled")
      ) setField(body, errorField, job.errorMessage);
      if (
        payloadField !== undefined && job.status === "completed" &&
        job.videoUrl !== undefined
      ) setField(body, payloadField, job.videoUrl);
      return body;
    },
  };
}

const OPTIONAL_PATHS = [
  "progressField",
  "errorField",
  "payloadField",
  "idField",
] as const;

/** Throws a TypeError unless `value` is a dotted path of non-empty keys. */
function assertPath(subject: string, name: string, value: unknown): void {
  if (
    typeof value === "string" && value.split(".").every((key) => key !== "")
  ) return;
  throw new TypeError(
    `Cannot create ${subject} as '${name}' must be a field path such as "data.status": current value is ${
      show(value)
    }`,
  );
}

/** Each word's result, checking every list and that no word is in two. */
function wordTable(
  subject: string,
  spec: DialectSpec,
): Map<string, VideoStatus> {
  const table = new Map<string, VideoStatus>();
  const lists = [
    ["pending", "pending", spec.pending, false],
    ["completed", "completed", spec.completed, false],
    ["error", "error", spec.error, false],
    ["canceled", "error", spec.canceled ?? [], true],
  ] as const;
  for (const [name, result, list, mayBeEmpty] of lists) {
    if (
      !Array.isArray(list) || (!mayBeEmpty && list.length === 0) ||
      !list.every((word) => typeof word === "string" && word !== "")
    ) {
      throw new TypeError(
        `Cannot create ${subject} as '${name}' must be a ${
          mayBeEmpty ? "" : "non-empty "
        }array of words: current value is ${show(list)}`,
      );
    }
    for (const word of list) {
      if (table.has(word)) {
        throw new TypeError(
          `Cannot create ${subject} as '${name}' must not repeat a word of another list: current value is ${
            show(word)
          }`,
        );
      }
      table.set(word, result);
    }
  }
  return table;
}

/** The word the simulator writes for a job. */
function wordOf(
  spec: DialectSpec,
  canceled: readonly string[],
  job: JobSnapshot,
): string {
  switch (job.status) {
    case "pending":
      // A vendor's later pending word (running, processing) follows its
      // first (queued, starting) once work has begun.
      return spec.pending[job.progress > 0 ? spec.pending.length - 1 : 0];
    case "completed":
      return spec.completed[0];
    case "canceled":
      return canceled[0] ?? spec.error[0];
    default:
      return spec.error[0];
  }
}
