// The HMAC-SHA256 pieces every signature scheme shares: a cache of imported
// keys, the MAC itself, a constant-time compare and the two encodings
// vendors put MACs in. WebCrypto, unless a caller brings its own HMAC.

/** The most keys kept imported; more secrets than this are rare (rotation, a few endpoints). */
import type { WebhookHmac } from "../webhook_signature.ts";

const MAX_KEYS = 32;

// Importing a key costs about as much as the MAC itself, and a receiver
// meets the same few secrets on every message. Keyed by the key bytes (as
// text, so that equal bytes from differently written secrets share one
// entry); a promise, so that concurrent first uses import once.
const keys = new Map<string, Promise<CryptoKey>>();

function importKey(bytes: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  let cacheKey = "";
  for (const byte of bytes) cacheKey += String.fromCharCode(byte);
  const cached = keys.get(cacheKey);
  if (cached !== undefined) {
    // Most recently used last, so the eviction below drops the stalest key.
    keys.delete(cacheKey);
    keys.set(cacheKey, cached);
    return cached;
  }
  const imported = crypto.subtle.importKey(
    "raw",
    bytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  keys.set(cacheKey, imported);
  // A failed import is not kept: the next use tries again.
  imported.catch(() => keys.delete(cacheKey));
  if (keys.size > MAX_KEYS) keys.delete(keys.keys().next().value as string);
  return imported;
}

const encoder = new TextEncoder();

/** The HMAC-SHA256 of `text` (as UTF-8) under the key `key`. */
export async function hmacSha256(
  key: Uint8Array<ArrayBuffer>,
  text: string,
  compute?: WebhookHmac,
): Promise<Uint8Array> {
  // A sender or a receiver may bring its own (synchronous) HMAC.
  if (compute !== undefined) return await compute(key, encoder.encode(text));
  const imported = await importKey(key);
  return new Uint8Array(
    await crypto.subtle.sign("HMAC", imported, encoder.encode(text)),
  );
}

/** The UTF-8 bytes of a text secret, for schemes that key the MAC with the secret as written. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

/** Compares in time that depends only on the lengths, so a forger learns nothing from timing. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let difference = 0;
  for (let i = 0; i < a.byteLength; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of canonical, padded base64, or `undefined` (`atob` would also take some malformed forms). */
export function decodeBase64(
  text: string,
): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Lower-case hexadecimal. */
export function encodeHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** The bytes of hexadecimal text (either case), or `undefined`. */
export function decodeHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}

/** The hex SHA-256 of `text` (as UTF-8): an id for a message that carries none. */
export async function sha256Hex(text: string): Promise<string> {
  return encodeHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))),
  );
}
