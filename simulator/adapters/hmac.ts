/**
 * A synchronous HMAC-SHA256 for the simulator's callbacks, from `node:crypto`
 * (Deno, Node.js and Bun have it), which is why it lives with the runtime
 * adapters and not in the pure handler.
 *
 * @module
 */

import { createHmac } from "node:crypto";

/**
 * HMAC-SHA256 computed on the calling thread. WebCrypto's `sign` hands the
 * work to a thread of the runtime's pool and resolves on a later turn: on a
 * busy machine that hop alone delayed a callback by up to 4 ms after its job
 * ended (p99 over 200 callbacks), when this takes tens of microseconds.
 * `serve()` signs callbacks with it (a `WebhookHmac`).
 *
 * @example The same MAC as WebCrypto's
 * ```ts
 * import { nodeHmac } from "./hmac.ts";
 * import assert from "node:assert/strict";
 *
 * const key = new Uint8Array([1, 2, 3]);
 * const message = new TextEncoder().encode("msg_1.1700000000.{}");
 * const imported = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
 * const expected = new Uint8Array(await crypto.subtle.sign("HMAC", imported, message));
 * assert.deepEqual(new Uint8Array(nodeHmac(key, message)), expected);
 * ```
 *
 * @param key The key bytes.
 * @param message The bytes to authenticate.
 * @returns The 32-byte MAC.
 */
export function nodeHmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  return createHmac("sha256", key).update(message).digest();
}
