import assert from "node:assert/strict";
import { nodeHmac } from "../../../simulator/adapters/hmac.ts";
import { seededRandom } from "../../../util/random.ts";

async function webCryptoHmac(
  key: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey(
    "raw",
    key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", imported, message));
}

function bytes(random: () => number, length: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

Deno.test("nodeHmac() computes WebCrypto's HMAC-SHA256 for any key and message, synchronously", async () => {
  const random = seededRandom(12);
  // Keys shorter and longer than SHA-256's 64-byte block (a longer key is
  // hashed first), messages from empty to several blocks.
  for (let trial = 0; trial < 60; trial++) {
    const key = bytes(random, 1 + Math.floor(random() * 100));
    const message = bytes(random, Math.floor(random() * 300));
    const mac = nodeHmac(key, message);
    assert.ok(mac instanceof Uint8Array, "returned, not a promise");
    assert.deepEqual(
      new Uint8Array(mac),
      await webCryptoHmac(key, message),
      `key of ${key.length} bytes, message of ${message.length}`,
    );
  }
});
