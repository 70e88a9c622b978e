/**
 * The options that pick the API the simulator speaks: its dialect (a
 * preset's name or a dialect object) and the API key it requires.
 *
 * @module
 */

import {
  type AuthHeader,
  authHeaderValue,
  type Dialect,
} from "../protocol/dialect.ts";
import { resolveDialect } from "../protocol/dialects/mod.ts";
import { show } from "../util/validate.ts";

/**
 * The dialect options of `createSimulator()` (and of `serve()`).
 *
 * @example Speak like Replicate and require its key
 * ```ts
 * import type { SimulatorDialectOptions } from "./dialect_options.ts";
 *
 * const options: SimulatorDialectOptions = { dialect: "replicate", apiKey: "r8_test" };
 * ```
 */
export interface SimulatorDialectOptions {
  /**
   * The API the simulator answers like: a preset's name (`video-status`,
   * `heygen-translate`, `heygen-video`, `replicate`, `google-operation`,
   * `azure-operation`, `openai-video`) or a dialect object. Its job paths,
   * status words and bodies are the dialect's; `POST /jobs` creates a job in
   * every dialect, and `POST` at the dialect's cancel path (if it has a
   * `cancelRequest`) cancels one.
   *
   * @default {"video-status"}
   */
  dialect?: string | Dialect;
  /**
   * The key every request must carry in the dialect's auth header
   * (`401` without it or with another); the dialect must have an auth header.
   *
   * @default {undefined} (no key is required)
   */
  apiKey?: string;
}

/**
 * The key a simulator requires, and where.
 *
 * @example
 * ```ts
 * import type { RequiredKey } from "./dialect_options.ts";
 *
 * const key: RequiredKey = { header: { name: "x-api-key" }, value: "k" };
 * ```
 */
export interface RequiredKey {
  /** The header it must be sent in. */
  readonly header: AuthHeader;
  /** The header's whole value (scheme and key), as `authHeaderValue()` makes it. */
  readonly value: string;
}

/**
 * The dialect and the required key of the options, checked.
 *
 * @example
 * ```ts
 * import { resolveDialectOptions } from "./dialect_options.ts";
 * import assert from "node:assert/strict";
 *
 * const { dialect, key } = resolveDialectOptions({ dialect: "openai-video", apiKey: "sk" });
 * assert.equal(dialect.name, "openai-video");
 * assert.equal(key?.value, "Bearer sk");
 * assert.throws(() => resolveDialectOptions({ apiKey: "k" }), /has no auth header/);
 * ```
 *
 * @param options The options as given.
 * @returns The dialect, and the key when one is required.
 * @throws {TypeError} For an unknown dialect, a key that is not a non-empty
 * string of header characters, or a key with a dialect that has no auth header.
 */
export function resolveDialectOptions(
  options: SimulatorDialectOptions,
): { dialect: Dialect; key?: RequiredKey } {
  const dialect = resolveDialect(options.dialect);
  const apiKey = options.apiKey;
  if (apiKey === undefined) return { dialect };
  // The key itself is never shown: an error message ends up in logs.
  if (typeof apiKey !== "string" || !/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new TypeError(
      `Cannot create the simulator as 'apiKey' must be a non-empty string of visible ASCII characters: current value is ${
        typeof apiKey !== "string" || apiKey === ""
          ? show(apiKey)
          : "a string with other characters (not shown)"
      }`,
    );
  }
  const header = dialect.authHeader;
  if (header === undefined) {
    throw new TypeError(
      `Cannot create the simulator as 'apiKey' needs a dialect with an auth header: the dialect ${
        show(dialect.name)
      } has no auth header`,
    );
  }
  return { dialect, key: { header, value: authHeaderValue(header, apiKey) } };
}
