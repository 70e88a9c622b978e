import assert from "node:assert/strict";
import {
  decodeBase64,
  decodeHex,
  encodeBase64,
  encodeHex,
  equalBytes,
  hmacSha256,
  utf8,
} from "../../../protocol/webhook_schemes/_hmac.ts";
import { seededRandom } from "../../../util/random.ts";
import { randomBytes } from "./_arbitrary.ts";

/** Counts crypto.subtle.importKey calls while `run` runs. */
async function imports(run: () => Promise<unknown>): Promise<number> {
  const subtle = crypto.subtle as unknown as Record<string, unknown>;
  const original = crypto.subtle.importKey;
  let count = 0;
  subtle.importKey = (...args: Parameters<typeof original>) => {
    count++;
    return original.apply(crypto.subtle, args);
  };
  try {
    await run();
  } finally {
    // The spy is an own property: removing it uncovers the original.
    delete subtle.importKey;
  }
  return count;
}

Deno.test("hmacSha256() imports a key once per secret, even for concurrent first uses", async () => {
  const key = utf8(`cache test ${crypto.randomUUID()}`);
  const first = await hmacSha256(key, "a");
  const count = await imports(() =>
    Promise.all(Array.from({ length: 20 }, (_, i) => hmacSha256(key, `${i}`)))
  );
  assert.equal(count, 0, "the first use imported it");
  const fresh = utf8(`cache test ${crypto.randomUUID()}`);
  assert.equal(
    await imports(() =>
      Promise.all(Array.from({ length: 20 }, () => hmacSha256(fresh, "a")))
    ),
    1,
  );
  assert.deepEqual(await hmacSha256(key, "a"), first);
});

Deno.test("hmacSha256() stays right past the cache's bound, re-importing the stalest key", async () => {
  const keys = Array.from(
    { length: 40 },
    (_, i) => utf8(`bound ${i} ${crypto.randomUUID()}`),
  );
  const macs = await Promise.all(keys.map((key) => hmacSha256(key, "m")));
  assert.equal(new Set(macs.map(encodeHex)).size, 40);
  // The first keys were dropped to bound the cache; the last are kept.
  assert.equal(await imports(() => hmacSha256(keys[39], "m")), 0);
  let again: Uint8Array | undefined;
  assert.equal(
    await imports(async () => again = await hmacSha256(keys[0], "m")),
    1,
  );
  assert.deepEqual(again, macs[0]);
});

Deno.test("hex and base64 round-trip any bytes; malformed text decodes to nothing", () => {
  const random = seededRandom(31);
  for (let i = 0; i < 200; i++) {
    const bytes = randomBytes(random);
    assert.deepEqual(decodeHex(encodeHex(bytes)), bytes);
    assert.deepEqual(decodeHex(encodeHex(bytes).toUpperCase()), bytes);
    assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
  }
  for (const bad of ["0", "0g", " 00", "+"]) {
    assert.equal(decodeHex(bad), undefined, bad);
  }
  for (const bad of ["abc", "ab=c", "a b=", "YQ"]) {
    assert.equal(decodeBase64(bad), undefined, bad);
  }
});

Deno.test("equalBytes() is true exactly for equal bytes", () => {
  const random = seededRandom(32);
  for (let i = 0; i < 200; i++) {
    const a = randomBytes(random);
    const b = a.slice();
    assert.equal(equalBytes(a, b), true);
    b[Math.floor(random() * b.length)] ^= 1 + Math.floor(random() * 255);
    assert.equal(equalBytes(a, b), false);
    assert.equal(equalBytes(a, a.subarray(1)), false);
  }
});
