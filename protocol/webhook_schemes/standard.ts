/**
 * The Standard Webhooks scheme as a {@linkcode WebhookScheme}.
 *
 * @module
 */

import type { WebhookScheme } from "../webhook_scheme.ts";
import {
  isWebhookSecret,
  signWebhook,
  verifyWebhook,
} from "../webhook_signature.ts";

/**
 * `standard-webhooks`: the `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` headers of https://www.standardwebhooks.com, an
 * HMAC-SHA256 of `id.timestamp.body` keyed by a `whsec_` + base64 secret
 * (see {@linkcode signWebhook} and {@linkcode verifyWebhook}). The timestamp
 * bounds replays; `webhook-id` is the message id. The default scheme of
 * every dialect.
 *
 * Vendors documented to sign this way: Replicate
 * (https://replicate.com/docs/topics/webhooks/verify-webhook: the three
 * headers, seconds since epoch, space-delimited base64 signatures, a
 * per-account key) and OpenAI ("following the Standard Webhooks
 * specification", https://developers.openai.com/api/docs/guides/webhooks).
 *
 * @example
 * ```ts
 * import { STANDARD_WEBHOOKS } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
 * const input = { id: "msg_1", timestamp: 1_700_000_000, body: "{}" };
 * const headers = new Headers(await STANDARD_WEBHOOKS.sign(secret, input));
 * assert.equal(await STANDARD_WEBHOOKS.verify(secret, headers, "{}", 1_700_000_000_000, 300_000), true);
 * assert.equal(await STANDARD_WEBHOOKS.messageId(headers, "{}"), "msg_1");
 * ```
 */
export const STANDARD_WEBHOOKS: WebhookScheme = Object.freeze({
  name: "standard-webhooks",
  secretForm: '"whsec_" followed by the base64 of the key',
  isSecret: isWebhookSecret,
  unsigned: ({ id, timestamp }: { id: string; timestamp: number }) => ({
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
  }),
  sign: signWebhook,
  verify: verifyWebhook,
  messageId: (headers: Headers) =>
    Promise.resolve(headers.get("webhook-id") ?? undefined),
});
