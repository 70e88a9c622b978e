/**
 * An Azure long-running operation's status monitor.
 *
 * @module
 */

import {
  type Dialect,
  isReadProblem,
  type JobSnapshot,
  type Reading,
  type ReadProblem,
} from "../dialect.ts";
import { defineDialect } from "./define.ts";
import { parseRetryAfter } from "../retry_after.ts";

const BUILT = defineDialect({
  name: "azure-operation",
  jobPath: "/operations/{id}",
  locationHeader: "operation-location",
  authHeader: { name: "authorization", scheme: "Bearer" },
  statusField: "status",
  pending: ["NotStarted", "Running"],
  completed: ["Succeeded"],
  error: ["Failed"],
  canceled: ["Canceled"],
  errorField: "error.message",
  payloadField: "result",
  idField: "id",
  shape: shapeOf,
});

/**
 * `azure-operation`: an Azure status monitor, as the Azure REST API
 * guidelines define it. The operation is started by a request answering
 * `202` with `Operation-Location: <status monitor URL>`; a `GET` on it
 * answers `{"id", "status", "error", "result"}`.
 *
 * `status` is `NotStarted` or `Running`, then `Succeeded`, `Failed` or
 * `Canceled`; a failed operation's `error` is `{code, message}`, a
 * succeeded one's `result` holds the operation's results. While it is not
 * final the answer carries `Retry-After` (seconds), read here as
 * `retryAfter`. The guidelines fix no path for the monitor (its id is the
 * last path segment): this preset uses `/operations/{id}`. The key is a
 * Microsoft Entra ID token sent as `Authorization: Bearer`. No progress.
 *
 * No cancel request: the guidelines give a status monitor the `Canceled`
 * status but define no request that cancels it (each service that offers
 * one defines its own), so `cancel()` rejects for this preset.
 *
 * Status monitors have no webhooks of their own (the guidelines below
 * define only polling), so callbacks to your own receiver default to
 * Standard Webhooks (`STANDARD_WEBHOOKS`, from `defineDialect`).
 *
 * Sources:
 * https://github.com/microsoft/api-guidelines/blob/vNext/azure/ConsiderationsForServiceDesign.md#long-running-operations
 * and https://learn.microsoft.com/rest/api/azure (authentication)
 *
 * @example
 * ```ts
 * import { AZURE_OPERATION } from "./azure_operation.ts";
 * import assert from "node:assert/strict";
 *
 * const reading = AZURE_OPERATION.read(
 *   { id: "22", status: "Running" },
 *   new Headers({ "retry-after": "5" }),
 *   0,
 * );
 * assert.deepEqual(reading, {
 *   result: "pending",
 *   status: "Running",
 *   payload: null,
 *   retryAfter: 5_000,
 * });
 * ```
 */
export const AZURE_OPERATION: Dialect = {
  ...BUILT,
  read(body: unknown, headers: Headers, now: number): Reading | ReadProblem {
    const reading = BUILT.read(body, headers, now);
    if (isReadProblem(reading) || reading.result !== "pending") return reading;
    const hint = parseRetryAfter(headers.get("retry-after"), now);
    return hint === undefined ? reading : { ...reading, retryAfter: hint };
  },
};

/**
 * A status monitor: `error` only when failed (its `code` left out, as a
 * simulated failure has none), `result` only when succeeded (written as the
 * video's URL: what a result holds is each service's own).
 */
function shapeOf(job: JobSnapshot): Record<string, unknown> {
  return job.status === "error" ? { error: {} } : {};
}
