/**
 * Replicate's predictions.
 *
 * @module
 */

import type { Dialect, JobSnapshot } from "../dialect.ts";
import { defineDialect } from "./define.ts";
import { STANDARD_WEBHOOKS } from "../webhook_schemes/standard.ts";

/**
 * `replicate`: a Replicate prediction, `GET /v1/predictions/{id}` with
 * `Authorization: Bearer KEY`; predictions are created by
 * `POST /v1/predictions`, whose answer is the prediction (its
 * `urls.get` and, in sync mode, `Location` point at it).
 *
 * `status` is `starting` or `processing`, then `succeeded`, `failed` or
 * `canceled`; `output` is the result (files as HTTPS URLs), `error` the
 * error, `logs` the model's log. The create request may carry `Prefer: wait`
 * (or `Prefer: wait=N`): Replicate holds it open up to 60 s by default, so a
 * short job can be done before the first poll. The reference gives no
 * progress number and no time hint.
 *
 * A prediction is canceled by `POST /v1/predictions/{id}/cancel`, which
 * answers with the prediction; it then ends `canceled` (one already ended
 * stays as it was).
 *
 * Its webhooks are signed per Standard Webhooks ({@linkcode STANDARD_WEBHOOKS}):
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, keyed
 * by the account's `whsec_` secret
 * (https://replicate.com/docs/topics/webhooks/verify-webhook).
 *
 * Sources: https://replicate.com/docs/topics/predictions/create-a-prediction
 * and the HTTP reference's "Get a prediction"
 * (https://replicate.com/docs/reference/http#predictions.get, read through
 * the copy at https://8mdkf4f12u.apifox.cn/api-135794486); cancel: the HTTP
 * reference's "Cancel a prediction"
 * (https://replicate.com/docs/reference/http#predictions.cancel), as the
 * official clients call it (replicate-python's `prediction.cancel()`)
 *
 * @example
 * ```ts
 * import { REPLICATE } from "./replicate.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(REPLICATE.jobPath("p1"), "/v1/predictions/p1");
 * const reading = REPLICATE.read({ status: "canceled", output: null }, new Headers(), 0);
 * assert.deepEqual(reading, { result: "error", status: "canceled", payload: null });
 * ```
 */
export const REPLICATE: Dialect = defineDialect({
  name: "replicate",
  jobPath: "/v1/predictions/{id}",
  createPath: "/v1/predictions",
  preferWait: true,
  authHeader: { name: "authorization", scheme: "Bearer" },
  webhookScheme: STANDARD_WEBHOOKS,
  statusField: "status",
  pending: ["starting", "processing"],
  completed: ["succeeded"],
  error: ["failed"],
  canceled: ["canceled"],
  errorField: "error",
  payloadField: "output",
  idField: "id",
  shape: shapeOf,
  cancelRequest: {
    method: "POST",
    path: "/v1/predictions/{id}/cancel",
    answer: "job",
  },
});

/**
 * A prediction as "Get a prediction" shows one. `model`, `version` and
 * `urls` are left out: a simulated job has no model, and the writer does not
 * know the simulator's own URL.
 */
function shapeOf(job: JobSnapshot): Record<string, unknown> {
  const started = job.status !== "pending" || job.progress > 0;
  return {
    input: {},
    logs: "",
    output: null,
    error: null,
    created_at: isoTime(job.createdAt),
    started_at: started ? isoTime(job.createdAt) : null,
    completed_at: job.finishedAt === undefined ? null : isoTime(job.finishedAt),
  };
}

function isoTime(time: number): string {
  return new Date(time).toISOString();
}
