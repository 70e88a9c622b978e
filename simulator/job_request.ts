/**
 * The optional JSON body of `POST /jobs`, which scripts a job for tests:
 * `{"delay": seconds, "outcome": "completed" | "error"}`. The delay is in
 * seconds on the wire and in milliseconds once parsed.
 *
 * @module
 */

import type { FinalStatus } from "../protocol/status.ts";
import { showValue } from "./http.ts";
import { MAX_JOB_DELAY } from "./options.ts";

/**
 * What a `POST /jobs` body asks for; absent fields are drawn at random.
 *
 * @example
 * ```ts
 * import type { JobRequest } from "./job_request.ts";
 *
 * const script: JobRequest = { delay: 500, outcome: "error" };
 * ```
 */
export interface JobRequest {
  /** Translation time in milliseconds (the body gives it in seconds). */
  readonly delay?: number;
  /** The terminal status the job reaches. */
  readonly outcome?: FinalStatus;
}

/**
 * Parses and checks a `POST /jobs` body. An empty body asks for nothing;
 * unknown fields are ignored.
 *
 * @example
 * ```ts
 * import { parseJobRequest } from "./job_request.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseJobRequest('{"delay": 1.5}'), { delay: 1_500 });
 * assert.deepEqual(parseJobRequest(""), {});
 * assert.equal(
 *   parseJobRequest('{"outcome": "done"}'),
 *   `Cannot create a job as 'outcome' must be "completed" or "error": current value is "done"`,
 * );
 * ```
 *
 * @param text The body text.
 * @returns The request, or an error message naming the bad field.
 */
export function parseJobRequest(text: string): JobRequest | string {
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "Cannot create a job as the body must be valid JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return `Cannot create a job as the body must be a JSON object: current value is ${
      showValue(body)
    }`;
  }
  const { delay, outcome } = body as Record<string, unknown>;
  const maxSeconds = MAX_JOB_DELAY / 1_000;
  if (
    delay !== undefined &&
    (typeof delay !== "number" || !(delay >= 0 && delay <= maxSeconds))
  ) {
    return `Cannot create a job as 'delay' must be a number of seconds from 0 to ${maxSeconds}: current value is ${
      showValue(delay)
    }`;
  }
  if (outcome !== undefined && outcome !== "completed" && outcome !== "error") {
    return `Cannot create a job as 'outcome' must be "completed" or "error": current value is ${
      showValue(outcome)
    }`;
  }
  return {
    ...(delay === undefined ? {} : { delay: delay * 1_000 }),
    ...(outcome === undefined ? {} : { outcome }),
  };
}
