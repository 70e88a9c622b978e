/**
 * The optional JSON body of `POST /jobs`, which scripts a job for tests:
 * `{"duration": seconds, "outcome": "completed" | "error" | "canceled",
 * "callback_url": url}`. The duration is
 * in seconds on the wire and in milliseconds once parsed.
 *
 * @module
 */

import { show } from "../util/validate.ts";
import type { JobOutcome } from "./jobs.ts";
import { MAX_JOB_DURATION } from "./options.ts";
import { checkCallbackUrl, type WebhookConfig } from "./webhook_options.ts";

/** The outcomes a body may script. */
const OUTCOMES: readonly JobOutcome[] = ["completed", "error", "canceled"];

/** How deep a `POST /jobs` body may nest arrays and objects. */
const MAX_NESTING = 32;

/**
 * What a `POST /jobs` body asks for; absent fields are drawn at random.
 *
 * @example
 * ```ts
 * import type { JobRequest } from "./job_request.ts";
 *
 * const script: JobRequest = { duration: 500, outcome: "error" };
 * ```
 */
export interface JobRequest {
  /** How long the job takes, in milliseconds (the body gives seconds). */
  readonly duration?: number;
  /** The final status the job reaches. */
  readonly outcome?: JobOutcome;
  /** Where to POST the job's final status when it ends. */
  readonly callbackUrl?: string;
}

/**
 * Parses and checks a `POST /jobs` body. An empty body asks for nothing;
 * unknown fields are ignored, except `delay`, the name `duration` had before
 * 0.2, which is refused so that an old caller learns of the rename.
 *
 * @example
 * ```ts
 * import { parseJobRequest } from "./job_request.ts";
 * import { resolveWebhookOptions } from "./webhook_options.ts";
 * import assert from "node:assert/strict";
 *
 * const webhooks = resolveWebhookOptions({});
 * assert.deepEqual(parseJobRequest('{"duration": 1.5}', webhooks), { duration: 1_500 });
 * assert.deepEqual(parseJobRequest("", webhooks), {});
 * assert.equal(
 *   parseJobRequest('{"outcome": "done"}', webhooks),
 *   `Cannot create a job as 'outcome' must be "completed", "error" or "canceled": current value is "done"`,
 * );
 * assert.match(String(parseJobRequest('{"delay": 1}', webhooks)), /'delay' is now 'duration'/);
 * ```
 *
 * @param text The body text.
 * @param webhooks The callback options, which say where `callback_url` may point.
 * @returns The request, or an error message naming the bad field.
 */
export function parseJobRequest(
  text: string,
  webhooks: WebhookConfig,
): JobRequest | string {
  if (text.trim() === "") return {};
  // A body nested thousands of levels deep overflows the stack of some
  // runtimes' JSON.parse (or of what reads its result), and no job needs it.
  if (nestingDepth(text) > MAX_NESTING) {
    return `Cannot create a job as the body must not nest deeper than ${MAX_NESTING} levels`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "Cannot create a job as the body must be valid JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return `Cannot create a job as the body must be a JSON object: current value is ${
      show(body)
    }`;
  }
  const fields = body as Record<string, unknown>;
  if ("delay" in fields) {
    return "Cannot create a job as 'delay' is now 'duration': send the job's length in seconds as 'duration'";
  }
  const { duration, outcome, callback_url: callbackUrl } = fields;
  const maxSeconds = MAX_JOB_DURATION / 1_000;
  if (
    duration !== undefined &&
    (typeof duration !== "number" || !(duration >= 0 && duration <= maxSeconds))
  ) {
    return `Cannot create a job as 'duration' must be a number of seconds from 0 to ${maxSeconds}: current value is ${
      show(duration)
    }`;
  }
  if (outcome !== undefined && !OUTCOMES.includes(outcome as JobOutcome)) {
    return `Cannot create a job as 'outcome' must be "completed", "error" or "canceled": current value is ${
      show(outcome)
    }`;
  }
  const refused = callbackUrl === undefined
    ? undefined
    : checkCallbackUrl(callbackUrl, webhooks);
  if (refused !== undefined) return refused;
  return {
    ...(callbackUrl === undefined
      ? {}
      : { callbackUrl: callbackUrl as string }),
    ...(duration === undefined ? {} : { duration: duration * 1_000 }),
    ...(outcome === undefined ? {} : { outcome: outcome as JobOutcome }),
  };
}

/** The deepest nesting of arrays and objects in JSON text, strings skipped. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "[" || char === "{") deepest = Math.max(deepest, ++depth);
    else if (char === "]" || char === "}") depth--;
  }
  return deepest;
}
