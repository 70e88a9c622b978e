/**
 * A Google long-running operation (`google.longrunning.Operation`).
 *
 * @module
 */

import type { Dialect, JobSnapshot, Reading, ReadProblem } from "../dialect.ts";
import { getField, getText, isJsonObject } from "./_fields.ts";
import { jobRoute } from "./route.ts";
import { STANDARD_WEBHOOKS } from "../webhook_schemes/standard.ts";

// google.rpc.Code CANCELLED: what an operation canceled by its client ends with.
const CANCELLED = 1;
// google.rpc.Code UNKNOWN, for a simulated failure, which has no finer code.
const UNKNOWN = 2;
const PREFIX = "operations/";

/**
 * `google-operation`: a Google long-running operation,
 * `GET /v1/operations/{id}` (the REST form of `GET /v1/{name}` for a name
 * `operations/{id}`), with an OAuth 2.0 access token as
 * `Authorization: Bearer`.
 *
 * The answer is `{"name", "metadata", "done", "error" | "response"}`: `done`
 * is `false` (or absent, as JSON drops a false boolean) while it runs; once
 * `true`, either `error` (a `google.rpc.Status`: `code`, `message`) or
 * `response` is set. The API has no status word, so this preset names the
 * states: `running` (not done), `done` (a `response`), `failed` (an `error`)
 * and `cancelled` (an `error` with code 1, `CANCELLED`, as a canceled
 * operation ends). The payload is `response`; `metadata` is each service's
 * own, so no progress is read from it.
 *
 * An operation is canceled by `POST /v1/operations/{id}:cancel` (the REST
 * form of `POST /v1/{name}:cancel`), with an empty body, answered with an
 * empty JSON object. The server makes a best effort: once it succeeds, the
 * operation ends with an `error` of code 1 (`cancelled` here); a server that
 * cannot cancel answers `UNIMPLEMENTED`.
 *
 * Long-running operations have no webhooks of their own (the pages below
 * define only polling), so callbacks to your own receiver default to
 * Standard Webhooks ({@linkcode STANDARD_WEBHOOKS}).
 *
 * Sources: https://cloud.google.com/php/docs/reference/longrunning/0.4.1/LongRunning.Operation,
 * https://developers.google.com/spectrum-access-system/reference/rpc/google.longrunning
 * and https://docs.cloud.google.com/service-usage/docs/reference/rest/v1/operations/get;
 * cancel: https://cloud.google.com/dialogflow/es/docs/reference/rest/v2/projects.operations/cancel
 * (the same `google.longrunning.Operations.CancelOperation` in every service)
 *
 * @example
 * ```ts
 * import { GOOGLE_OPERATION } from "./google_operation.ts";
 * import assert from "node:assert/strict";
 *
 * const headers = new Headers();
 * assert.equal(GOOGLE_OPERATION.jobPath("op1"), "/v1/operations/op1");
 * assert.deepEqual(GOOGLE_OPERATION.read({ name: "operations/op1" }, headers, 0), {
 *   result: "pending",
 *   status: "running",
 *   payload: null,
 * });
 * const failed = { name: "operations/op1", done: true, error: { code: 1, message: "Cancelled by user" } };
 * assert.deepEqual(GOOGLE_OPERATION.read(failed, headers, 0), {
 *   result: "error",
 *   status: "cancelled",
 *   error: "Cancelled by user",
 *   payload: null,
 * });
 * ```
 */
export const GOOGLE_OPERATION: Dialect = {
  name: "google-operation",
  ...jobRoute("/v1/operations/{id}"),
  authHeader: { name: "authorization", scheme: "Bearer" },
  cancelRequest: {
    method: "POST",
    path: "/v1/operations/{id}:cancel",
    answer: "empty",
  },
  webhookScheme: STANDARD_WEBHOOKS,
  idOf(body: unknown): string | undefined {
    const name = getText(body, "name");
    const at = name?.lastIndexOf(PREFIX) ?? -1;
    return name === undefined || at === -1
      ? undefined
      : name.slice(at + PREFIX.length) || undefined;
  },
  read(body: unknown): Reading | ReadProblem {
    if (getText(body, "name") === undefined) {
      return {
        problem: "missing",
        field: "name",
        message: "Expected a JSON object with a 'name'",
      };
    }
    const done = getField(body, "done");
    if (done !== true && done !== false && done !== undefined) {
      return {
        problem: "unknown",
        field: "done",
        value: done,
        message: `Unknown done ${JSON.stringify(done)}`,
      };
    }
    if (done !== true) {
      return { result: "pending", status: "running", payload: null };
    }
    const error = getField(body, "error");
    if (!isJsonObject(error)) {
      return {
        result: "completed",
        status: "done",
        payload: getField(body, "response") ?? null,
      };
    }
    const reading: Reading = {
      result: "error",
      status: error.code === CANCELLED ? "cancelled" : "failed",
      payload: null,
    };
    const message = getText(error, "message");
    if (message !== undefined) reading.error = message;
    return reading;
  },
  write(job: JobSnapshot): Record<string, unknown> {
    const body: Record<string, unknown> = {
      name: PREFIX + job.id,
      done: job.status !== "pending",
    };
    if (job.status === "completed") {
      // What `response` holds is each service's own; the simulated service
      // answers with the video's URL.
      body.response = { uri: job.videoUrl ?? null };
    } else if (job.status !== "pending") {
      body.error = {
        code: job.status === "canceled" ? CANCELLED : UNKNOWN,
        message: job.errorMessage ?? "",
      };
    }
    return body;
  },
};
