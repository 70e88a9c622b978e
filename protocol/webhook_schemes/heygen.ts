/**
 * HeyGen's webhook signature as a {@linkcode WebhookScheme}.
 *
 * @module
 */

import type { WebhookScheme } from "../webhook_scheme.ts";
import type {
  WebhookHmacOptions,
  WebhookSigningInput,
} from "../webhook_signature.ts";
import {
  decodeHex,
  encodeHex,
  equalBytes,
  hmacSha256,
  sha256Hex,
  utf8,
} from "./_hmac.ts";

// The header it signs in, and the other name public receivers read: either
// is checked, so that a receiver works whichever HeyGen sends.
const HEADER = "x-heygen-signature";
const HEADERS = [HEADER, "signature"] as const;

/** Printable, no spaces: a secret pasted with a newline or a space fails where it is configured. */
const SECRET = /^[\x21-\x7e]+$/;

function isSecret(secret: unknown): boolean {
  return typeof secret === "string" && SECRET.test(secret);
}

/** The key bytes; a `TypeError` that never shows the secret otherwise. */
function keyOf(secret: string): Uint8Array<ArrayBuffer> {
  if (!isSecret(secret)) {
    throw new TypeError(
      `Cannot use the webhook secret as 'secret' must be ${HEYGEN_SIGNATURE.secretForm}: current value is ${
        typeof secret === "string"
          ? `a string of ${(secret as string).length} characters`
          : typeof secret
      }`,
    );
  }
  return utf8(secret);
}

/**
 * `heygen`: HeyGen's callbacks carry an `X-HeyGen-Signature` header (a
 * plain `Signature` is accepted too), the lower-case hex HMAC-SHA256 of the
 * raw body keyed by the endpoint's secret as written (its UTF-8 bytes,
 * `whsec_` prefix and all). Upper-case hex is accepted. With both headers,
 * one valid signature is enough.
 *
 * The MAC covers the body only: no id and no timestamp are signed, so a
 * captured callback cannot be refused by its age. The receiver still
 * refuses a copy it has seen, for as long as it remembers message ids
 * (`keepFor`, `maxKept`): a message's id is the SHA-256 of its body, the
 * same on every retry. A replay past that memory is a final event the job
 * already had, which changes no result.
 *
 * Sources: each endpoint registered with `POST /v1/webhook/endpoint.add`
 * gets a `secret` "used to verify the callback request is from HeyGen"
 * (https://docs.heygen.com/reference/add-a-webhook-endpoint); the events and
 * their payloads are at https://docs.heygen.com/docs/using-heygens-webhook-events.
 * NOT verified against HeyGen's own pages: the header's name and that the
 * MAC is the hex HMAC-SHA256 of the body keyed by the secret's bytes, as the
 * pages found stop before the signature. Public HeyGen receivers mostly read
 * `X-HeyGen-Signature` (a NestJS controller, Express and Next.js handlers, a
 * Supabase function, Python services), a few `Signature`: this scheme signs
 * in the first and checks both. HeyGen's v3 endpoints (https://developers.heygen.com/docs/webhooks)
 * hand out `whsec_…` secrets that can be rotated, the form of Standard
 * Webhooks secrets: a v3 endpoint may sign that way instead, which a
 * receiver's `scheme: "standard-webhooks"` selects. Check one real callback
 * before relying on either.
 *
 * @example
 * ```ts
 * import { HEYGEN_SIGNATURE } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const secret = "endpoint-secret";
 * const body = JSON.stringify({ event_type: "avatar_video.success", event_data: { video_id: "v1" } });
 * const headers = new Headers(await HEYGEN_SIGNATURE.sign(secret, { id: "msg_1", timestamp: 0, body }));
 * assert.match(headers.get("x-heygen-signature") ?? "", /^[0-9a-f]{64}$/);
 * assert.equal(await HEYGEN_SIGNATURE.verify(secret, headers, body, Date.now(), 300_000), true);
 * assert.equal(await HEYGEN_SIGNATURE.verify(secret, headers, body + " ", Date.now(), 300_000), "bad signature");
 * ```
 */
export const HEYGEN_SIGNATURE: WebhookScheme = Object.freeze({
  name: "heygen",
  secretForm: "the endpoint secret, printable characters without spaces",
  isSecret,
  unsigned: (): Record<string, string> => ({}),
  async sign(
    secret: string,
    input: WebhookSigningInput,
    options: WebhookHmacOptions = {},
  ): Promise<Record<string, string>> {
    const mac = await hmacSha256(keyOf(secret), input.body, options.hmac);
    return { [HEADER]: encodeHex(mac) };
  },
  async verify(
    secret: string,
    headers: Headers,
    body: string,
    _now: number,
    _tolerance: number,
    options: WebhookHmacOptions = {},
  ): Promise<true | string> {
    const key = keyOf(secret);
    const given = HEADERS.flatMap((name) => headers.get(name) ?? []);
    if (given.length === 0) return "missing headers";
    // An HMAC-SHA256 is 64 hex digits: anything else is refused unread.
    const candidates = given.map((value) => value.trim())
      .filter((hex) => hex.length === 64)
      .map(decodeHex);
    if (candidates.length === 0) return "bad signature";
    const expected = await hmacSha256(key, body, options.hmac);
    return candidates.some((candidate) =>
        candidate !== undefined && equalBytes(candidate, expected)
      )
      ? true
      : "bad signature";
  },
  async messageId(_headers: Headers, body: string): Promise<string> {
    return `sha256:${await sha256Hex(body)}`;
  },
});
