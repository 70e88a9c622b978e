/**
 * A webhook signature scheme: how one API signs its callbacks, so that the
 * simulator can sign the way that API does and the receiver can check it.
 * Each dialect names its scheme (`Dialect.webhookScheme`); the presets are
 * in `./webhook_schemes/`.
 *
 * @module
 */

import type {
  WebhookHmacOptions,
  WebhookSigningInput,
} from "./webhook_signature.ts";

export type { WebhookSigningInput };

/**
 * How an API signs its webhooks: the headers it sends, what its MAC covers,
 * the form of its secrets. The simulator calls `sign` (or `unsigned` without
 * a secret); the receiver calls `messageId` and `verify`. Implementations
 * use WebCrypto (or the `hmac` they are given) and compare MACs in
 * constant time. A scheme whose MAC
 * covers no timestamp cannot refuse a replay by its age: only the
 * receiver's memory of message ids (`keepFor`, `maxKept`) catches one.
 *
 * @example A receiver that trusts a shared token (a sketch, not a MAC)
 * ```ts
 * import type { WebhookScheme } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const token: WebhookScheme = {
 *   name: "token",
 *   secretForm: "a non-empty string",
 *   isSecret: (secret) => typeof secret === "string" && secret !== "",
 *   unsigned: () => ({}),
 *   sign: (secret) => Promise.resolve({ "x-token": secret }),
 *   verify: (secret, headers) => Promise.resolve(headers.get("x-token") === secret || "bad signature"),
 *   messageId: (headers) => Promise.resolve(headers.get("x-event-id") ?? undefined),
 * };
 * assert.equal(await token.verify("t", new Headers({ "x-token": "t" }), "{}", 0, 0), true);
 * ```
 */
export interface WebhookScheme {
  /** The scheme's name, e.g. `standard-webhooks` or `heygen`. */
  readonly name: string;
  /** What a secret looks like, for error messages, e.g. `"whsec_" followed by the base64 of the key`. */
  readonly secretForm: string;
  /**
   * Whether `secret` can sign and verify. Options check secrets with it,
   * so that a bad one fails where it is configured.
   *
   * @param secret Anything.
   * @returns Whether it is a secret of this scheme.
   */
  isSecret(secret: unknown): boolean;
  /**
   * The headers of an unsigned message (no secret configured): its id and
   * time, where the scheme carries them in headers.
   *
   * @param input The message's id, time (Unix seconds) and body.
   * @returns The headers.
   */
  unsigned(input: WebhookSigningInput): Record<string, string>;
  /**
   * Signs a message.
   *
   * @param secret A secret of this scheme.
   * @param input The message's id, time (Unix seconds) and body.
   * @param options How the HMAC is computed (WebCrypto's by default).
   * @returns The headers to send with the body.
   */
  sign(
    secret: string,
    input: WebhookSigningInput,
    options?: WebhookHmacOptions,
  ): Promise<Record<string, string>>;
  /**
   * Verifies a message: `true`, or why it is refused (`"missing headers"`,
   * `"bad signature"`, or a timestamp problem for schemes with one).
   *
   * @param secret A secret of this scheme.
   * @param headers The request's headers.
   * @param body The exact body received.
   * @param now The receiver's clock, in Unix epoch milliseconds.
   * @param tolerance The most a timestamp may differ from `now`, in ms (ignored without one).
   * @param options How the HMAC is computed (WebCrypto's by default).
   * @returns `true`, or the reason.
   */
  verify(
    secret: string,
    headers: Headers,
    body: string,
    now: number,
    tolerance: number,
    options?: WebhookHmacOptions,
  ): Promise<true | string>;
  /**
   * The message's id, the same on every retry and duplicate of it, so that
   * the receiver delivers it once; `undefined` when the message has none.
   *
   * @param headers The request's headers.
   * @param body The exact body received.
   * @returns The id, or `undefined`.
   */
  messageId(headers: Headers, body: string): Promise<string | undefined>;
}
