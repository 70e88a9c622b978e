/**
 * Signing and verifying webhooks per Standard Webhooks
 * (https://www.standardwebhooks.com): the sender puts `webhook-id`,
 * `webhook-timestamp` (Unix seconds) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`) on each POST; the
 * receiver recomputes the HMAC with the shared secret and refuses a message
 * whose timestamp is too far from its clock, so that a captured message
 * cannot be replayed later. The default scheme of every dialect
 * (`STANDARD_WEBHOOKS` in ./webhook_schemes/standard.ts wraps these
 * functions): the simulator signs with it, the client's receiver verifies
 * with it. WebCrypto only; the imported key of each
 * secret is cached, so only the first message pays for the import.
 *
 * @module
 */

import {
  decodeBase64,
  encodeBase64,
  equalBytes,
  hmacSha256,
} from "./webhook_schemes/_hmac.ts";
import { show } from "../util/validate.ts";

/**
 * What a webhook signature covers.
 *
 * @example
 * ```ts
 * import type { WebhookSigningInput } from "./webhook_signature.ts";
 *
 * const input: WebhookSigningInput = { id: "msg_1", timestamp: 1_700_000_000, body: "{}" };
 * ```
 */
export interface WebhookSigningInput {
  /** The message's id (`webhook-id`), the same on every retry of it. */
  id: string;
  /** When it was sent, in Unix epoch SECONDS (`webhook-timestamp`). */
  timestamp: number;
  /** The exact body sent. */
  body: string;
}

/** The default tolerance between a message's timestamp and the clock (5 minutes), in ms. */
const DEFAULT_TOLERANCE = 300_000;

const SECRET_PREFIX = "whsec_";

/** The key bytes of a secret, or `undefined` if it is not `whsec_` + base64 of a key. */
function decodeSecret(secret: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (typeof secret !== "string") return undefined;
  const bytes = decodeBase64(
    secret.startsWith(SECRET_PREFIX)
      ? secret.slice(SECRET_PREFIX.length)
      : secret,
  );
  return bytes?.byteLength === 0 ? undefined : bytes;
}

/**
 * Whether `secret` is a Standard Webhooks secret: `whsec_` followed by the
 * base64 of a non-empty key (the prefix is optional, as in the reference
 * libraries). Options check secrets with it, so that a bad one fails where
 * it is configured rather than at the first message.
 *
 * @example
 * ```ts
 * import { isWebhookSecret } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), true);
 * assert.equal(isWebhookSecret("my password"), false);
 * ```
 *
 * @param secret Anything.
 * @returns Whether it can sign and verify messages.
 */
export function isWebhookSecret(secret: unknown): boolean {
  return decodeSecret(secret) !== undefined;
}

/** The key bytes of a secret; a `TypeError` that never shows it otherwise. */
function keyBytes(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = decodeSecret(secret);
  if (bytes === undefined) {
    throw new TypeError(
      `Cannot use the webhook secret as 'secret' must be "whsec_" followed by the base64 of the key: current value is ${
        typeof secret === "string"
          ? `a string of ${secret.length} characters`
          : typeof secret
      }`,
    );
  }
  return bytes;
}

/**
 * Computes HMAC-SHA256: the MAC of `message` under `key`, at once or as a
 * promise. {@linkcode signWebhook} takes one in place of WebCrypto's.
 *
 * @example The synchronous one of `node:crypto`
 * ```ts
 * import type { WebhookHmac } from "@video-status/client";
 * import { createHmac } from "node:crypto";
 *
 * const hmac: WebhookHmac = (key, message) =>
 *   createHmac("sha256", key).update(message).digest();
 * ```
 */
export type WebhookHmac = (
  key: Uint8Array,
  message: Uint8Array,
) => Uint8Array | Promise<Uint8Array>;

/**
 * How {@linkcode signWebhook} and {@linkcode verifyWebhook} (and every
 * {@linkcode WebhookScheme}'s `sign` and `verify`) compute their HMAC.
 *
 * @example
 * ```ts
 * import type { WebhookHmacOptions } from "@video-status/client";
 * import { createHmac } from "node:crypto";
 *
 * const options: WebhookHmacOptions = {
 *   hmac: (key, message) => createHmac("sha256", key).update(message).digest(),
 * };
 * ```
 */
export interface WebhookHmacOptions {
  /**
   * How the HMAC-SHA256 is computed. WebCrypto's `crypto.subtle.sign` is
   * asynchronous and, in Deno and Node.js, runs on a thread of the runtime's
   * pool: a hop that a busy machine can delay by milliseconds. A sender that
   * must sign at once, or a receiver that must verify at once, passes a
   * synchronous one.
   * @default {WebCrypto's HMAC-SHA256}
   */
  hmac?: WebhookHmac;
}

async function hmac(
  secret: string,
  id: string,
  timestamp: string,
  body: string,
  compute?: WebhookHmac,
): Promise<Uint8Array> {
  return await hmacSha256(
    keyBytes(secret),
    `${id}.${timestamp}.${body}`,
    compute,
  );
}

/**
 * Signs a webhook: the three Standard Webhooks headers to send with `body`.
 *
 * @example
 * ```ts
 * import { signWebhook, verifyWebhook } from "./webhook_signature.ts";
 * import assert from "node:assert/strict";
 *
 * const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
 * const body = JSON.stringify({ id: "job-1", result: "completed" });
 * const headers = await signWebhook(secret, { id: "msg_1", timestamp: 1_700_000_000, body });
 * assert.equal(headers["webhook-id"], "msg_1");
 * assert.match(headers["webhook-signature"], /^v1,[A-Za-z0-9+/]+=*$/);
 * assert.equal(await verifyWebhook(secret, new Headers(headers), body, 1_700_000_000_000), true);
 * ```
 *
 * @param secret The shared secret: `whsec_` + base64 of the key bytes.
 * @param input The message's id, its timestamp in Unix seconds and its body.
 * @param options How the HMAC is computed.
 * @returns The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers.
 * @throws {TypeError} When the secret is not `whsec_` + base64, the timestamp is not a whole number of seconds, or `hmac` is not a function.
 */
export async function signWebhook(
  secret: string,
  input: WebhookSigningInput,
  options: WebhookHmacOptions = {},
): Promise<Record<string, string>> {
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) {
    throw new TypeError(
      `Cannot sign the webhook as 'timestamp' must be a non-negative whole number of seconds: current value is ${input.timestamp}`,
    );
  }
  if (options.hmac !== undefined && typeof options.hmac !== "function") {
    throw new TypeError(
      `Cannot sign the webhook as 'hmac' must be a function: current value is ${
        show(options.hmac)
      }`,
    );
  }
  const timestamp = String(input.timestamp);
  const signature = await hmac(
    secret,
    input.id,
    timestamp,
    input.body,
    options.hmac,
  );
  return {
    "webhook-id": input.id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${encodeBase64(signature)}`,
  };
}

/**
 * Verifies a webhook signed per Standard Webhooks. Resolves `true`, or why
 * not: `"missing headers"`, `"bad timestamp"` (not Unix seconds),
 * `"timestamp too old"` (older than `tolerance`: a replay, or a message held
 * up too long), `"timestamp too new"` (further ahead than `tolerance`: a
 * message forged to outlive the replay window), or `"bad signature"` (none of
 * the space-separated `v1,…` signatures matches; the sender lists several
 * while it rotates its secret). The HMACs are compared in constant time.
 *
 * @example Refuse a replayed message
 * ```ts
 * import { signWebhook, verifyWebhook } from "./webhook_signature.ts";
 * import assert from "node:assert/strict";
 *
 * const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
 * const headers = new Headers(await signWebhook(secret, { id: "msg_1", timestamp: 1_700_000_000, body: "{}" }));
 * const tenMinutesLater = 1_700_000_600_000;
 * assert.equal(await verifyWebhook(secret, headers, "{}", tenMinutesLater), "timestamp too old");
 * assert.equal(await verifyWebhook(secret, headers, '{"x":1}', 1_700_000_000_000), "bad signature");
 * ```
 *
 * @param secret The shared secret: `whsec_` + base64 of the key bytes.
 * @param headers The request's headers.
 * @param body The exact body received.
 * @param now The receiver's clock, in Unix epoch milliseconds.
 * @param tolerance The most the timestamp may differ from `now`, either way, in ms.
 * @param options How the HMAC is computed (WebCrypto's by default).
 * @returns `true`, or the reason the message is refused.
 * @throws {TypeError} When the secret is not `whsec_` + base64.
 */
export async function verifyWebhook(
  secret: string,
  headers: Headers,
  body: string,
  now: number,
  tolerance: number = DEFAULT_TOLERANCE,
  options: WebhookHmacOptions = {},
): Promise<true | string> {
  const id = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signatures = headers.get("webhook-signature");
  if (id === null || timestamp === null || signatures === null) {
    return "missing headers";
  }
  if (!/^\d{1,15}$/.test(timestamp)) return "bad timestamp";
  const skew = now - Number(timestamp) * 1000;
  if (skew > tolerance) return "timestamp too old";
  if (-skew > tolerance) return "timestamp too new";
  const expected = await hmac(secret, id, timestamp, body, options.hmac);
  let matched = false;
  for (const signature of signatures.split(" ")) {
    const comma = signature.indexOf(",");
    if (signature.slice(0, comma) !== "v1") continue;
    const candidate = decodeBase64(signature.slice(comma + 1));
    // No early exit: every listed signature is compared.
    if (candidate !== undefined && equalBytes(candidate, expected)) {
      matched = true;
    }
  }
  return matched ? true : "bad signature";
}
