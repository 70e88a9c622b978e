/**
 * The client's options about the wire: which job API it speaks (its
 * dialect) and the key that API takes.
 *
 * @module
 */

import { authHeaderValue, type Dialect } from "../protocol/dialect.ts";
import { type DialectName, resolveDialect } from "../protocol/dialects/mod.ts";
import { show } from "../util/validate.ts";

export type { Dialect };

/**
 * The options of `VideoStatusClient` that choose the job API it speaks.
 *
 * @example Wait on Replicate's predictions
 * ```ts
 * import { VideoStatusClient } from "@video-status/client";
 *
 * const client = new VideoStatusClient({
 *   serverUrl: "https://api.replicate.com",
 *   dialect: "replicate",
 *   apiKey: "r8_example",
 * });
 * ```
 */
export interface DialectOptions {
  /**
   * The job API's wire shape: a preset's name (`"video-status"`,
   * `"heygen-translate"`, `"heygen-video"`, `"replicate"`,
   * `"google-operation"`, `"azure-operation"`, `"openai-video"`) or a
   * dialect of your own (`defineDialect()`). It reads every status answer
   * (the status word, progress, error message, payload and time hint), makes
   * a job's status URL from its id, and says where `createJob()` posts.
   * A word the dialect does not know ends the wait at once with a
   * `ProtocolError` naming the word and the field.
   *
   * @default {"video-status"}
   *
   * @example Write your own dialect
   * ```ts
   * import { defineDialect, VideoStatusClient } from "@video-status/client";
   * import { FakeClock, json, scriptedFetch } from "@video-status/client/testing";
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
   * const { fetch, requests } = scriptedFetch([
   *   json({ data: { status: "rendering", percent: 40 } }),
   *   json({ data: { status: "done", percent: 100, url: "https://cdn.test/r1.mp4" } }),
   * ]);
   * const seen: string[] = [];
   * const client = new VideoStatusClient({
   *   serverUrl: "https://renders.test",
   *   dialect: renders,
   *   fetch,
   *   clock: new FakeClock(),
   *   onUpdate: ({ status, progress }) => seen.push(`${status} ${progress}`),
   * });
   * const final = await client.waitForJob("r1");
   * assert.equal(requests[0].url, "https://renders.test/renders/r1");
   * assert.equal(final.result, "completed");
   * assert.equal(final.status, "done");
   * assert.equal(final.payload, "https://cdn.test/r1.mp4");
   * assert.deepEqual(seen, ["rendering 0.4", "done 1"]);
   * ```
   */
  dialect?: DialectName | Dialect;
  /**
   * The API key, sent in the header the dialect names (`X-Api-Key: KEY` for
   * HeyGen, `Authorization: Bearer KEY` for the others that take one). It
   * is a configured header like those of `headers`: it goes only where they
   * go and never appears in errors or updates. A dialect that names no
   * header takes no `apiKey`: use `headers`.
   */
  apiKey?: string;
}

/**
 * The dialect the options name, with the API key added to `headers` (which
 * the caller then treats as configured headers).
 */
export function resolveDialectOptions(
  subject: string,
  options: DialectOptions,
  headers: Headers,
): Dialect {
  const dialect = resolveDialect(options.dialect);
  const { apiKey } = options;
  if (apiKey === undefined) return dialect;
  if (typeof apiKey !== "string" || apiKey === "") {
    throw new TypeError(
      `Cannot create ${subject} as 'apiKey' must be a non-empty string: current value is ${
        typeof apiKey === "string" ? '""' : typeof apiKey
      }`,
    );
  }
  const auth = dialect.authHeader;
  if (auth === undefined) {
    throw new TypeError(
      `Cannot create ${subject} as 'apiKey' needs a dialect that names its auth header: the dialect ${
        show(dialect.name)
      } names none (send the key with 'headers')`,
    );
  }
  try {
    headers.set(auth.name, authHeaderValue(auth, apiKey));
  } catch {
    throw new TypeError(
      `Cannot create ${subject} as 'apiKey' must be a valid header value (its value is not shown)`,
    );
  }
  return dialect;
}
