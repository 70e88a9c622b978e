/**
 * The preset dialects by name, and the one way a `dialect` option (a
 * preset's name or a dialect object) becomes a dialect.
 *
 * @module
 */

import type { Dialect } from "../dialect.ts";
import { presetOrObject, show } from "../../util/validate.ts";
import { cancelRoute } from "./cancel.ts";
import { AZURE_OPERATION } from "./azure_operation.ts";
import { GOOGLE_OPERATION } from "./google_operation.ts";
import { HEYGEN_TRANSLATE } from "./heygen_translate.ts";
import { HEYGEN_VIDEO } from "./heygen_video.ts";
import { OPENAI_VIDEO } from "./openai_video.ts";
import { REPLICATE } from "./replicate.ts";
import { VIDEO_STATUS } from "./video_status.ts";

export {
  type AuthHeader,
  authHeaderValue,
  type CancelRequest,
  type Dialect,
  isReadProblem,
  type JobSnapshot,
  type JobSnapshotStatus,
  type Reading,
  type ReadProblem,
} from "../dialect.ts";
export type { VideoStatus } from "../status.ts";
export { cancelRoute } from "./cancel.ts";
export { defineDialect, type DialectSpec } from "./define.ts";
export { type JobRoute, jobRoute, jobUrl } from "./route.ts";
export {
  AZURE_OPERATION,
  GOOGLE_OPERATION,
  HEYGEN_TRANSLATE,
  HEYGEN_VIDEO,
  OPENAI_VIDEO,
  REPLICATE,
  VIDEO_STATUS,
};

/**
 * The name of a preset dialect.
 *
 * @example
 * ```ts
 * import type { DialectName } from "./mod.ts";
 *
 * const name: DialectName = "replicate";
 * ```
 */
export type DialectName =
  | "video-status"
  | "heygen-translate"
  | "heygen-video"
  | "replicate"
  | "google-operation"
  | "azure-operation"
  | "openai-video";

/**
 * The preset dialects by name; `video-status` is the default.
 *
 * @example
 * ```ts
 * import { PRESETS } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PRESETS["openai-video"].jobPath("v1"), "/v1/videos/v1");
 * assert.equal(Object.keys(PRESETS)[0], "video-status");
 * ```
 */
export const PRESETS: Readonly<Record<DialectName, Dialect>> = Object.freeze({
  "video-status": VIDEO_STATUS,
  "heygen-translate": HEYGEN_TRANSLATE,
  "heygen-video": HEYGEN_VIDEO,
  "replicate": REPLICATE,
  "google-operation": GOOGLE_OPERATION,
  "azure-operation": AZURE_OPERATION,
  "openai-video": OPENAI_VIDEO,
});

/**
 * The dialect a `dialect` option names: a preset by its name, or a dialect
 * object as is (after checking it has the methods of one).
 *
 * @example
 * ```ts
 * import { resolveDialect } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolveDialect().name, "video-status");
 * assert.equal(resolveDialect("replicate").name, "replicate");
 * assert.throws(() => resolveDialect("sora"), {
 *   name: "TypeError",
 *   message: /must be one of "video-status", "heygen-translate", .*: current value is "sora"/,
 * });
 * ```
 *
 * @param dialect A preset's name (see {@linkcode DialectName}) or a dialect.
 * @returns The dialect.
 * @throws {TypeError} For an unknown name or an object that is not a dialect (its `cancelRequest` included).
 */
export function resolveDialect(
  dialect: string | Dialect = "video-status",
): Dialect {
  const resolved = presetOrObject("the dialect", "dialect", PRESETS, dialect, [
    "jobPath",
    "jobId",
    "idOf",
    "read",
    "write",
  ]);
  // A preset is checked already; an object of the caller's is checked whole.
  if (typeof dialect === "string") return resolved;
  if (typeof resolved.name !== "string" || resolved.name === "") {
    throw new TypeError(
      `Cannot create the dialect as 'dialect.name' must be a non-empty string: current value is ${
        show(resolved.name)
      }`,
    );
  }
  cancelRoute(resolved);
  return resolved;
}
