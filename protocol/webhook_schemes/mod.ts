/**
 * The preset webhook signature schemes by name, and the one way a `scheme`
 * option (a preset's name or a scheme object) becomes a scheme.
 *
 * @module
 */

import type { WebhookScheme } from "../webhook_scheme.ts";
import { presetOrObject } from "../../util/validate.ts";
import { HEYGEN_SIGNATURE } from "./heygen.ts";
import { STANDARD_WEBHOOKS } from "./standard.ts";

export type { WebhookScheme };
export { HEYGEN_SIGNATURE, STANDARD_WEBHOOKS };

/**
 * The name of a preset webhook signature scheme.
 *
 * @example
 * ```ts
 * import type { WebhookSchemeName } from "@video-status/client";
 *
 * const name: WebhookSchemeName = "heygen";
 * ```
 */
export type WebhookSchemeName = "standard-webhooks" | "heygen";

const SCHEMES: Readonly<Record<WebhookSchemeName, WebhookScheme>> = Object
  .freeze({
    "standard-webhooks": STANDARD_WEBHOOKS,
    "heygen": HEYGEN_SIGNATURE,
  });

/**
 * The scheme a `scheme` option names: a preset by its name, a scheme object
 * as is (after checking it has the methods of one), or the default,
 * Standard Webhooks, for `undefined`.
 *
 * @example
 * ```ts
 * import { resolveWebhookScheme } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolveWebhookScheme().name, "standard-webhooks");
 * assert.equal(resolveWebhookScheme("heygen").name, "heygen");
 * assert.throws(() => resolveWebhookScheme("svix"), TypeError);
 * ```
 *
 * @param scheme A preset's name (see {@linkcode WebhookSchemeName}) or a scheme.
 * @returns The scheme.
 * @throws {TypeError} For an unknown name or an object that is not a scheme.
 */
export function resolveWebhookScheme(
  scheme: string | WebhookScheme = STANDARD_WEBHOOKS,
): WebhookScheme {
  return presetOrObject("the webhook scheme", "scheme", SCHEMES, scheme, [
    "isSecret",
    "unsigned",
    "sign",
    "verify",
    "messageId",
  ]);
}
