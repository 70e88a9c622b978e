import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { seededRandom } from "../../util/random.ts";
import {
  signWebhook,
  verifyWebhook,
} from "../../protocol/webhook_signature.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER = "whsec_" + btoa("another key of thirty-two bytes!");
const NOW = 1_700_000_000_000;
const BODY = JSON.stringify({ id: "job-1", result: "completed" });

function signed(
  secret = SECRET,
  timestamp = NOW / 1000,
  body = BODY,
): Promise<Record<string, string>> {
  return signWebhook(secret, { id: "msg_1", timestamp, body });
}

Deno.test("verifyWebhook() accepts what signWebhook() signed", async () => {
  const headers = new Headers(await signed());
  assert.equal(await verifyWebhook(SECRET, headers, BODY, NOW), true);
});

Deno.test("verifyWebhook() refuses another body, id, secret or a forged signature", async (t) => {
  const headers = await signed();
  await t.step("another body", async () => {
    assert.equal(
      await verifyWebhook(SECRET, new Headers(headers), BODY + " ", NOW),
      "bad signature",
    );
  });
  await t.step("another id", async () => {
    const moved = new Headers({ ...headers, "webhook-id": "msg_2" });
    assert.equal(
      await verifyWebhook(SECRET, moved, BODY, NOW),
      "bad signature",
    );
  });
  await t.step("another secret", async () => {
    assert.equal(
      await verifyWebhook(OTHER, new Headers(headers), BODY, NOW),
      "bad signature",
    );
  });
  await t.step(
    "a forged, truncated, unversioned or garbled signature",
    async () => {
      const real = headers["webhook-signature"];
      for (
        const forged of [
          "v1," + btoa("x".repeat(32)),
          real.slice(0, -8),
          real.slice(3),
          "v2," + real.slice(3),
          "v1,***",
          "",
        ]
      ) {
        const h = new Headers({ ...headers, "webhook-signature": forged });
        assert.equal(
          await verifyWebhook(SECRET, h, BODY, NOW),
          "bad signature",
        );
      }
    },
  );
});

Deno.test("verifyWebhook() names missing headers and a malformed timestamp", async () => {
  const headers = await signed();
  for (const name of Object.keys(headers)) {
    const without = new Headers(headers);
    without.delete(name);
    assert.equal(
      await verifyWebhook(SECRET, without, BODY, NOW),
      "missing headers",
    );
  }
  for (const timestamp of ["", "1.5", "-1", "1e9", "abc", "9".repeat(16)]) {
    const h = new Headers({ ...headers, "webhook-timestamp": timestamp });
    assert.equal(await verifyWebhook(SECRET, h, BODY, NOW), "bad timestamp");
  }
});

Deno.test("verifyWebhook() refuses a timestamp outside the tolerance either way", async () => {
  const headers = new Headers(await signed());
  const minutes = (n: number) => n * 60_000;
  assert.equal(
    await verifyWebhook(SECRET, headers, BODY, NOW + minutes(5)),
    true,
  );
  assert.equal(
    await verifyWebhook(SECRET, headers, BODY, NOW - minutes(5)),
    true,
  );
  assert.equal(
    await verifyWebhook(SECRET, headers, BODY, NOW + minutes(5) + 1),
    "timestamp too old",
  );
  assert.equal(
    await verifyWebhook(SECRET, headers, BODY, NOW - minutes(5) - 1),
    "timestamp too new",
  );
  assert.equal(
    await verifyWebhook(SECRET, headers, BODY, NOW + 2000, 1000),
    "timestamp too old",
  );
  assert.equal(
    await verifyWebhook(SECRET, headers, BODY, NOW + 1000, 1000),
    true,
  );
});

Deno.test("verifyWebhook() accepts any one of several space-separated signatures (a sender rotating its secret)", async () => {
  const old = (await signed(OTHER))["webhook-signature"];
  const current = await signed();
  const both = new Headers({
    ...current,
    "webhook-signature": `${old} v1a,ignored ${current["webhook-signature"]}`,
  });
  assert.equal(await verifyWebhook(SECRET, both, BODY, NOW), true);
  assert.equal(await verifyWebhook(OTHER, both, BODY, NOW), true);
  const third = "whsec_" + btoa("a third key, unrelated to either");
  assert.equal(await verifyWebhook(third, both, BODY, NOW), "bad signature");
});

Deno.test("signWebhook() and verifyWebhook() refuse a malformed secret without showing it", async () => {
  for (const secret of ["whsec_", "whsec_not base64!", "whsec_@@@@"]) {
    await assert.rejects(signed(secret), (error: Error) => {
      assert.equal(error.name, "TypeError");
      assert.match(
        error.message,
        /'secret' must be "whsec_" followed by the base64/,
      );
      assert.match(
        error.message,
        /current value is a string of \d+ characters$/,
      );
      return true;
    });
    await assert.rejects(
      verifyWebhook(secret, new Headers(await signed()), BODY, NOW),
      TypeError,
    );
  }
  // The prefix is optional, as in the reference libraries.
  const bare = new Headers(await signed(SECRET.slice("whsec_".length)));
  assert.equal(await verifyWebhook(SECRET, bare, BODY, NOW), true);
});

Deno.test("signWebhook() refuses a timestamp that is not whole seconds", async () => {
  for (const timestamp of [1.5, -1, NaN, NOW * 1e6]) {
    await assert.rejects(signed(SECRET, timestamp), {
      name: "TypeError",
      message: /'timestamp' must be a non-negative whole number of seconds/,
    });
  }
});

Deno.test("signWebhook() signs with the given hmac, to the headers WebCrypto's gives", async () => {
  const random = seededRandom(5);
  for (let trial = 0; trial < 30; trial++) {
    const key = Uint8Array.from(
      { length: 1 + Math.floor(random() * 80) },
      () => Math.floor(random() * 256),
    );
    const secret = "whsec_" + btoa(String.fromCharCode(...key));
    const input = {
      id: `msg_${trial}`,
      timestamp: Math.floor(random() * 2e9),
      body: JSON.stringify({ id: `job-${trial}`, note: "é".repeat(trial) }),
    };
    const calls: { key: Uint8Array; message: string }[] = [];
    const viaNode = await signWebhook(secret, input, {
      hmac: (key, message) => {
        calls.push({ key, message: new TextDecoder().decode(message) });
        return createHmac("sha256", key).update(message).digest();
      },
    });
    assert.deepEqual(calls, [{
      key,
      message: `${input.id}.${input.timestamp}.${input.body}`,
    }]);
    assert.deepEqual(viaNode, await signWebhook(secret, input));
  }
});

Deno.test("signWebhook() refuses an hmac that is not a function, and passes its failure on", async () => {
  await assert.rejects(
    signWebhook(SECRET, { id: "msg_1", timestamp: NOW / 1000, body: BODY }, {
      hmac: "sha256" as never,
    }),
    {
      name: "TypeError",
      message: /'hmac' must be a function: current value is "sha256"/,
    },
  );
  const failure = new Error("no key store");
  await assert.rejects(
    signWebhook(SECRET, { id: "msg_1", timestamp: NOW / 1000, body: BODY }, {
      hmac: () => Promise.reject(failure),
    }),
    (error) => error === failure,
  );
});

// Interoperability with the reference implementation, npm standardwebhooks.
// It checks timestamps against the wall clock with a 5-minute tolerance, so
// these messages carry the current time.

Deno.test("verifyWebhook() accepts what npm standardwebhooks signs", async () => {
  const reference = new Webhook(SECRET);
  const sentAt = new Date();
  const signature = reference.sign("msg_ref", sentAt, BODY);
  const timestamp = String(Math.floor(sentAt.getTime() / 1000));
  const headers = new Headers({
    "webhook-id": "msg_ref",
    "webhook-timestamp": timestamp,
    "webhook-signature": signature,
  });
  assert.equal(
    await verifyWebhook(SECRET, headers, BODY, sentAt.getTime()),
    true,
  );
  assert.equal(
    await verifyWebhook(OTHER, headers, BODY, sentAt.getTime()),
    "bad signature",
  );
});

Deno.test("npm standardwebhooks accepts what signWebhook() signs, and refuses a tampered body", async () => {
  const reference = new Webhook(SECRET);
  const headers = await signWebhook(SECRET, {
    id: "msg_ours",
    timestamp: Math.floor(Date.now() / 1000),
    body: BODY,
  });
  assert.deepEqual(reference.verify(BODY, headers), JSON.parse(BODY));
  assert.throws(() => reference.verify(BODY + " ", headers), {
    name: "WebhookVerificationError",
  });
  assert.throws(() => new Webhook(OTHER).verify(BODY, headers), {
    name: "WebhookVerificationError",
  });
});
