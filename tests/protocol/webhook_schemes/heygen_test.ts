import assert from "node:assert/strict";
import { HEYGEN_SIGNATURE } from "../../../protocol/webhook_schemes/heygen.ts";
import { seededRandom } from "../../../util/random.ts";
import { randomBody, randomText, tamper } from "./_arbitrary.ts";

const NOW = 1_700_000_000_000;
const TOLERANCE = 300_000;

async function signed(secret: string, body: string): Promise<Headers> {
  return new Headers(
    await HEYGEN_SIGNATURE.sign(secret, { id: "msg_1", timestamp: 0, body }),
  );
}

function verify(secret: string, headers: Headers, body: string) {
  return HEYGEN_SIGNATURE.verify(secret, headers, body, NOW, TOLERANCE);
}

Deno.test("HEYGEN_SIGNATURE signs the hex HMAC-SHA256 of the body, keyed by the secret's bytes", async () => {
  // RFC 4231, test case 2: key "Jefe".
  const headers = await signed("Jefe", "what do ya want for nothing?");
  assert.deepEqual([...headers.keys()], ["x-heygen-signature"]);
  assert.equal(
    headers.get("x-heygen-signature"),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
});

Deno.test("HEYGEN_SIGNATURE verifies what it signed, for any body and secret", async () => {
  const random = seededRandom(12);
  for (let i = 0; i < 200; i++) {
    const secret = randomText(random);
    const body = randomBody(random);
    const headers = await signed(secret, body);
    assert.equal(await verify(secret, headers, body), true, `case ${i}`);
    // No timestamp is signed: the clock and tolerance change nothing.
    assert.equal(
      await HEYGEN_SIGNATURE.verify(secret, headers, body, 0, 0),
      true,
    );
  }
});

Deno.test("HEYGEN_SIGNATURE refuses a tampered body, signature or secret, for any input", async () => {
  const random = seededRandom(13);
  for (let i = 0; i < 200; i++) {
    const secret = randomText(random);
    const body = randomBody(random);
    const headers = await signed(secret, body);
    const where = `case ${i}`;
    assert.equal(
      await verify(secret, headers, tamper(body, random)),
      "bad signature",
      where,
    );
    const forged = new Headers({
      "x-heygen-signature": tamper(headers.get("x-heygen-signature")!, random),
    });
    assert.equal(await verify(secret, forged, body), "bad signature", where);
    const other = tamper(secret, random);
    assert.equal(await verify(other, headers, body), "bad signature", where);
  }
});

Deno.test("HEYGEN_SIGNATURE takes upper-case hex, and refuses a missing, short or non-hex signature", async () => {
  const headers = await signed("s3cret", "{}");
  const signature = headers.get("x-heygen-signature")!;
  const upper = new Headers({ "x-heygen-signature": signature.toUpperCase() });
  assert.equal(await verify("s3cret", upper, "{}"), true);
  assert.equal(await verify("s3cret", new Headers(), "{}"), "missing headers");
  for (
    const bad of [signature.slice(2), signature + "00", "zz", "", "v1,abc"]
  ) {
    assert.equal(
      await verify("s3cret", new Headers({ "x-heygen-signature": bad }), "{}"),
      "bad signature",
      bad,
    );
  }
  // Another scheme's headers are no signature of this one.
  const standard = new Headers({
    "webhook-id": "msg_1",
    "webhook-timestamp": "1700000000",
    "webhook-signature": "v1," + btoa("x".repeat(32)),
  });
  assert.equal(await verify("s3cret", standard, "{}"), "missing headers");
});

Deno.test("HEYGEN_SIGNATURE's message id is the body's SHA-256, the same on every copy", async () => {
  const random = seededRandom(14);
  const ids = new Set<string | undefined>();
  for (let i = 0; i < 50; i++) {
    const body = `${i}:${randomBody(random)}`;
    const id = await HEYGEN_SIGNATURE.messageId(new Headers(), body);
    assert.match(id!, /^sha256:[0-9a-f]{64}$/);
    assert.equal(
      await HEYGEN_SIGNATURE.messageId(await signed("a", body), body),
      id,
    );
    ids.add(id);
  }
  assert.equal(ids.size, 50, "different bodies, different ids");
  // SHA-256("abc"), FIPS 180-2.
  assert.equal(
    await HEYGEN_SIGNATURE.messageId(new Headers(), "abc"),
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("HEYGEN_SIGNATURE takes printable secrets only, and never shows a bad one", async () => {
  assert.equal(HEYGEN_SIGNATURE.isSecret("whsec_k7x9m2"), true);
  assert.equal(HEYGEN_SIGNATURE.isSecret("a"), true);
  for (const bad of ["", "two words", "trailing\n", "tab\there", 7, null]) {
    assert.equal(HEYGEN_SIGNATURE.isSecret(bad), false, String(bad));
  }
  assert.deepEqual(
    HEYGEN_SIGNATURE.unsigned({ id: "msg_1", timestamp: 1, body: "{}" }),
    {},
  );
  const secret = "my secret\n";
  for (
    const attempt of [
      () => HEYGEN_SIGNATURE.sign(secret, { id: "m", timestamp: 0, body: "" }),
      () => verify(secret, new Headers({ signature: "00" }), ""),
    ]
  ) {
    await assert.rejects(attempt, (error: Error) => {
      assert.equal(error.name, "TypeError");
      assert.match(
        error.message,
        /'secret' must be the endpoint secret, printable characters without spaces: current value is a string of 10 characters$/,
      );
      assert.ok(!error.message.includes("my secret"));
      return true;
    });
  }
});

Deno.test("a HeyGen signature of any length but 64 hex digits is refused, a huge one included", async () => {
  const secret = "endpoint-secret";
  for (
    const signature of [
      "",
      "ab",
      "a".repeat(63),
      "a".repeat(65),
      "f".repeat(1 << 20),
    ]
  ) {
    for (const name of ["x-heygen-signature", "signature"]) {
      const headers = new Headers({ [name]: signature });
      assert.equal(
        await HEYGEN_SIGNATURE.verify(
          secret,
          headers,
          "{}",
          Date.now(),
          300_000,
        ),
        "bad signature",
      );
    }
  }
});

Deno.test("HEYGEN_SIGNATURE accepts the MAC in a plain Signature header, and one valid of two", async () => {
  const random = seededRandom(15);
  for (let i = 0; i < 50; i++) {
    const secret = randomText(random);
    const body = randomBody(random);
    const mac = (await signed(secret, body)).get("x-heygen-signature")!;
    // Another valid hex MAC: one digit changed.
    const at = Math.floor(random() * mac.length);
    const digit = ((parseInt(mac[at], 16) + 1) % 16).toString(16);
    const forged = mac.slice(0, at) + digit + mac.slice(at + 1);
    const where = `case ${i}`;
    const check = (headers: Record<string, string>) =>
      verify(secret, new Headers(headers), body);
    assert.equal(await check({ signature: mac }), true, where);
    assert.equal(
      await check({ "x-heygen-signature": forged, signature: mac }),
      true,
      where,
    );
    assert.equal(
      await check({ "x-heygen-signature": mac, signature: forged }),
      true,
      where,
    );
    assert.equal(
      await check({ "x-heygen-signature": forged, signature: forged }),
      "bad signature",
      where,
    );
    assert.equal(await check({ signature: forged }), "bad signature", where);
  }
});
