/**
 * The declarative way to a {@linkcode Dialect}: a status field, its words,
 * and where progress, an error message, the payload and the id are.
 *
 * @module
 */

import type {
  AuthHeader,
  CancelRequest,
  Dialect,
  JobSnapshot,
  Reading,
  ReadProblem,
} from "../dialect.ts";
import type { VideoStatus } from "../status.ts";
import { show } from "../../util/validate.ts";
import { getField, getText, setField } from "./_fields.ts";
import { jobRoute } from "./route.ts";
import { cancelRoute } from "./cancel.ts";
import type { WebhookScheme } from "../webhook_scheme.ts";
import { STANDARD_WEBHOOKS } from "../webhook_schemes/standard.ts";

/**
 * The fields of a dialect built by {@linkcode defineDialect}.
 *
 * @example
 * ```ts
 * import type { DialectSpec } from "./define.ts";
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
  /** See `Dialect.createPath`. */
  createPath?: string;
  /** See `Dialect.locationHeader`. */
  locationHeader?: string;
  /** See `Dialect.preferWait`. */
  preferWait?: boolean;
  /** See `Dialect.authHeader`. */
  authHeader?: AuthHeader;
  /** See `Dialect.cancelRequest`. */
  cancelRequest?: CancelRequest;
  /**
   * See `Dialect.webhookScheme`.
   *
   * @default {STANDARD_WEBHOOKS}
   */
  webhookScheme?: WebhookScheme;
  /** The dotted path of the status word, e.g. `data.status` (a number steps into an array when reading). */
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
  /** The dotted path of the job's id, read by `Dialect.idOf` and written by the simulator. */
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
 * import { defineDialect } from "./define.ts";
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
 * @throws {TypeError} When a field is malformed (`cancelRequest` included) or a word is in two lists.
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
  // Taken now, so that changing the spec afterwards changes no dialect.
  const {
    statusField,
    progressField,
    errorField,
    payloadField,
    idField,
    shape,
    unknownAsPending = false,
  } = spec;
  const written: WrittenWords = {
    pending: [...spec.pending],
    completed: spec.completed[0],
    error: spec.error[0],
    canceled: spec.canceled?.[0] ?? spec.error[0],
  };
  const dialect: Dialect = {
    name: spec.name,
    ...jobRoute(spec.jobPath),
    createPath: spec.createPath,
    locationHeader: spec.locationHeader,
    preferWait: spec.preferWait,
    authHeader: spec.authHeader,
    // A copy, checked below: changing the spec afterwards changes no dialect.
    cancelRequest: typeof spec.cancelRequest === "object" &&
        spec.cancelRequest !== null
      ? { ...spec.cancelRequest }
      : spec.cancelRequest,
    webhookScheme: spec.webhookScheme ?? STANDARD_WEBHOOKS,
    idOf: (body) => idField === undefined ? undefined : getText(body, idField),
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
        (unknownAsPending ? "pending" : undefined);
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
      const body = shape?.(job) ?? {};
      if (idField !== undefined) setField(body, idField, job.id);
      setField(body, statusField, wordOf(written, job));
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
  cancelRoute(dialect);
  return dialect;
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
        `Cannot create ${subject} as '${name}' must be ${
          mayBeEmpty ? "an" : "a non-empty"
        } array of words: current value is ${show(list)}`,
      );
    }
    for (const word of list) {
      if (table.has(word)) {
        throw new TypeError(
          `Cannot create ${subject} as '${name}' must not repeat a word of its own or another list: current value is ${
            show(word)
          }`,
        );
      }
      table.set(word, result);
    }
  }
  return table;
}

/** The words the simulator writes. */
interface WrittenWords {
  pending: readonly string[];
  completed: string;
  error: string;
  canceled: string;
}

/** The word the simulator writes for a job. */
function wordOf(words: WrittenWords, job: JobSnapshot): string {
  if (job.status !== "pending") return words[job.status];
  // A vendor's later pending word (running, processing) follows its first
  // (queued, starting) once work has begun.
  return words.pending[job.progress > 0 ? words.pending.length - 1 : 0];
}
