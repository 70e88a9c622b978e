import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { STANDARD_WEBHOOKS } from "../../../protocol/webhook_schemes/standard.ts";
import { seededRandom } from "../../../util/random.ts";
import { randomBody, randomBytes, tamper } from "./_arbitrary.ts";

const NOW = 1_700_000_000_000;
const TOLERANCE = 300_000;

function secretOf(bytes: Uint8Array): string {
  return "whsec_" + btoa(String.fromCharCode(...bytes));
}

function verify(secret: string, headers: Headers, body: string) {
  return STANDARD_WEBHOOKS.verify(secret, headers, body, NOW, TOLERANCE);
}

Deno.test("STANDARD_WEBHOOKS and npm standardwebhooks accept each other's messages, for any body and key", async () => {
  const random = seededRandom(21);
  for (let i = 0; i < 100; i++) {
    const secret = secretOf(randomBytes(random));
    const body = randomBody(random);
    const id = `msg_${i}`;
    const timestamp = new Date(NOW);
    const theirs = new Webhook(secret).sign(id, timestamp, body);
    const fromThem = new Headers({
      "webhook-id": id,
      "webhook-timestamp": String(NOW / 1000),
      "webhook-signature": theirs,
    });
    assert.equal(await verify(secret, fromThem, body), true, `case ${i}`);
    const ours = await STANDARD_WEBHOOKS.sign(secret, {
      id,
      timestamp: NOW / 1000,
      body,
    });
    assert.equal(ours["webhook-signature"], theirs, `case ${i}`);
  }
});

Deno.test("STANDARD_WEBHOOKS refuses a tampered body, id, timestamp, signature or secret, for any input", async () => {
  const random = seededRandom(22);
  for (let i = 0; i < 100; i++) {
    const key = randomBytes(random);
    const secret = secretOf(key);
    const body = randomBody(random);
    const headers = await STANDARD_WEBHOOKS.sign(secret, {
      id: `msg_${i}`,
      timestamp: NOW / 1000,
      body,
    });
    const where = `case ${i}`;
    assert.equal(await verify(secret, new Headers(headers), body), true);
    assert.equal(
      await verify(secret, new Headers(headers), tamper(body, random)),
      "bad signature",
      where,
    );
    for (const name of ["webhook-id", "webhook-signature"] as const) {
      const forged = new Headers({
        ...headers,
        [name]: tamper(headers[name], random),
      });
      assert.equal(await verify(secret, forged, body), "bad signature", where);
    }
    const moved = new Headers({
      ...headers,
      "webhook-timestamp": String(NOW / 1000 + 1),
    });
    assert.equal(await verify(secret, moved, body), "bad signature", where);
    const other = key.slice();
    other[0] ^= 1;
    assert.equal(
      await verify(secretOf(other), new Headers(headers), body),
      "bad signature",
      where,
    );
  }
});

Deno.test("STANDARD_WEBHOOKS has its id in webhook-id, and sends it and the time unsigned", async () => {
  const input = { id: "msg_7", timestamp: 1_700_000_000, body: "{}" };
  assert.deepEqual(STANDARD_WEBHOOKS.unsigned(input), {
    "webhook-id": "msg_7",
    "webhook-timestamp": "1700000000",
  });
  assert.equal(
    await STANDARD_WEBHOOKS.messageId(
      new Headers({ "webhook-id": "msg_7" }),
      "{}",
    ),
    "msg_7",
  );
  assert.equal(
    await STANDARD_WEBHOOKS.messageId(new Headers(), "{}"),
    undefined,
  );
  // A HeyGen signature alone is missing the Standard Webhooks headers.
  assert.equal(
    await verify(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      new Headers({ signature: "00".repeat(32) }),
      "{}",
    ),
    "missing headers",
  );
});
