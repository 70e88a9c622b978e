// The receiver verifies with the dialect's signature scheme, or the one its
// `scheme` option names: what that scheme signed is heard, anything else
// answers 401 and reaches no wait.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  createWebhookReceiver,
  type WebhookEvent,
  type WebhookReceiverOptions,
} from "../../../client/webhooks/receiver.ts";
import {
  defineDialect,
  type DialectSpec,
} from "../../../protocol/dialects/define.ts";
import { HEYGEN_SIGNATURE } from "../../../protocol/webhook_schemes/heygen.ts";
import { STANDARD_WEBHOOKS } from "../../../protocol/webhook_schemes/standard.ts";
import type { WebhookScheme } from "../../../protocol/webhook_scheme.ts";
import { FakeClock } from "../../../testing/fake_clock.ts";
import { seededRandom } from "../../../util/random.ts";
import {
  randomText,
  tamper,
} from "../../protocol/webhook_schemes/_arbitrary.ts";

const SECRET = "heygen-endpoint-secret";
const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const START = 1_700_000_000_000;

function heygenBody(job: string, status = "completed"): string {
  return JSON.stringify({ code: 100, data: { id: job, status } });
}

function setup(options: WebhookReceiverOptions = {}) {
  const clock = new FakeClock({ start: START, autoAdvance: false });
  const receiver = createWebhookReceiver({
    secret: SECRET,
    dialect: "heygen-video",
    clock,
    ...options,
  });
  const heard: WebhookEvent[] = [];
  const post = (headers: HeadersInit, body: string) =>
    receiver.fetch(
      new Request("http://localhost/hooks", { method: "POST", headers, body }),
    );
  /** Whether any wait for `job` hears anything, now or from what is kept. */
  const reached = (job: string): boolean => {
    let any = false;
    receiver.listen(job, () => any = true)();
    return any || heard.some((event) => event.jobId === job);
  };
  return { receiver, clock, heard, post, reached };
}

async function sign(
  scheme: WebhookScheme,
  secret: string,
  body: string,
  id = "msg_1",
): Promise<Record<string, string>> {
  return await scheme.sign(secret, { id, timestamp: START / 1000, body });
}

Deno.test("a heygen-video receiver hears what HEYGEN_SIGNATURE signed, once", async () => {
  const { receiver, post, heard } = setup();
  receiver.listen("v1", (event) => heard.push(event));
  const body = heygenBody("v1");
  const headers = await sign(HEYGEN_SIGNATURE, SECRET, body);
  assert.equal((await post(headers, body)).status, 204);
  assert.equal((await post(headers, body)).status, 200, "the same copy again");
  assert.equal(heard.length, 1);
  assert.equal(heard[0].verified, true);
  assert.equal(heard[0].reading.result, "completed");
  assert.match(heard[0].id, /^sha256:[0-9a-f]{64}$/);
});

Deno.test("a tampered body, signature or secret answers 401 and reaches no wait, for any input", async () => {
  const random = seededRandom(41);
  for (let i = 0; i < 50; i++) {
    const secret = randomText(random);
    const { post, reached } = setup({ secret });
    const job = `v${i}`;
    const body = heygenBody(job);
    const headers = await sign(HEYGEN_SIGNATURE, secret, body);
    const forgedBody = body.replace('"completed"', '"failed"');
    const cases: [string, HeadersInit, string][] = [
      ["body", headers, forgedBody],
      [
        "signature",
        {
          "x-heygen-signature": tamper(headers["x-heygen-signature"], random),
        },
        body,
      ],
      [
        "secret",
        await sign(HEYGEN_SIGNATURE, tamper(secret, random), body),
        body,
      ],
      ["no signature", {}, body],
    ];
    for (const [what, sent, text] of cases) {
      const response = await post(sent, text);
      assert.equal(response.status, 401, `case ${i}: ${what}`);
      assert.match(
        await response.text(),
        /^Refused: (bad signature|missing headers)$/,
      );
    }
    assert.equal(reached(job), false, `case ${i}: a wait heard a forgery`);
    assert.equal((await post(headers, body)).status, 204, `case ${i}`);
    assert.equal(reached(job), true);
  }
});

Deno.test("a receiver with the wrong scheme refuses what the other scheme signed", async () => {
  const body = heygenBody("v1");
  const heygen = await sign(HEYGEN_SIGNATURE, STANDARD_SECRET, body);
  const standard = await sign(STANDARD_WEBHOOKS, STANDARD_SECRET, body);
  // The secret is valid in both schemes: only the scheme differs.
  const asStandard = setup({
    secret: STANDARD_SECRET,
    scheme: "standard-webhooks",
  });
  assert.equal((await asStandard.post(heygen, body)).status, 401);
  assert.equal(asStandard.reached("v1"), false);
  assert.equal((await asStandard.post(standard, body)).status, 204);
  const asHeygen = setup({ secret: STANDARD_SECRET });
  // Both schemes' headers, the HeyGen one signed with another secret.
  const mixed = {
    ...standard,
    ...await sign(HEYGEN_SIGNATURE, "someone-else", body),
  };
  assert.equal((await asHeygen.post(standard, body)).status, 401);
  assert.equal((await asHeygen.post(mixed, body)).status, 401);
  assert.equal(asHeygen.reached("v1"), false);
  assert.equal((await asHeygen.post(heygen, body)).status, 204);
});

Deno.test("`scheme` overrides the dialect's, and a custom dialect's own scheme is used", async () => {
  const spec: DialectSpec = {
    name: "renders",
    jobPath: "/renders/{id}",
    statusField: "state",
    idField: "id",
    pending: ["running"],
    completed: ["done"],
    error: ["failed"],
  };
  const renders = defineDialect({ ...spec, webhookScheme: HEYGEN_SIGNATURE });
  const body = JSON.stringify({ id: "r1", state: "done" });
  const own = setup({ dialect: renders });
  assert.equal(
    (await own.post(await sign(HEYGEN_SIGNATURE, SECRET, body), body)).status,
    204,
  );
  const custom = defineDialect(spec);
  assert.equal(custom.webhookScheme, STANDARD_WEBHOOKS, "the default");
  const overridden = setup({ dialect: custom, scheme: "heygen" });
  assert.equal(
    (await overridden.post(await sign(HEYGEN_SIGNATURE, SECRET, body), body))
      .status,
    204,
  );
});

Deno.test("without a secret a HeyGen callback is a hint, deduplicated by its body", async () => {
  const { receiver, post, heard } = setup({ secret: undefined });
  receiver.listen("v1", (event) => heard.push(event));
  const body = heygenBody("v1");
  assert.equal((await post({}, body)).status, 204);
  assert.equal((await post({ signature: "anything" }, body)).status, 200);
  assert.equal((await post({}, heygenBody("v1", "failed"))).status, 204);
  assert.deepEqual(
    heard.map((event) => [event.verified, event.reading.result]),
    [[false, "completed"], [false, "error"]],
  );
});

Deno.test("createWebhookReceiver() checks secrets in the scheme's form", () => {
  assert.throws(() => setup({ secret: "two words" }), {
    name: "TypeError",
    message:
      /'secret' must be the endpoint secret, printable characters without spaces \(scheme heygen\): current value is a string of 9 characters$/,
  });
  assert.throws(
    () => setup({ secret: "not base64", dialect: "replicate" }),
    /'secret' must be "whsec_" followed by the base64 of the key \(scheme standard-webhooks\)/,
  );
  // A HeyGen secret need not be base64; a Standard Webhooks one must.
  setup({ secret: "plain-secret" });
  assert.throws(() => setup({ scheme: "svix" as "heygen" }), TypeError);
  assert.throws(
    () => setup({ scheme: {} as WebhookScheme }),
    /'scheme' must have the methods/,
  );
});

Deno.test("a receiver given an hmac verifies with it, whatever the scheme, and its MAC decides", async (t) => {
  const cases = [
    {
      scheme: HEYGEN_SIGNATURE,
      secret: SECRET,
      dialect: "heygen-video" as const,
      body: heygenBody("v1"),
    },
    {
      scheme: STANDARD_WEBHOOKS,
      secret: STANDARD_SECRET,
      dialect: "video-status" as const,
      body: JSON.stringify({ id: "v1", result: "completed" }),
    },
  ];
  for (const { scheme, secret, dialect, body } of cases) {
    await t.step(scheme.name, async () => {
      const calls: number[] = [];
      const synchronous = (key: Uint8Array, message: Uint8Array) => {
        calls.push(message.byteLength);
        return createHmac("sha256", key).update(message).digest();
      };
      const { post } = setup({ secret, dialect, hmac: synchronous });
      const headers = await sign(scheme, secret, body);
      assert.equal((await post(headers, body)).status, 204);
      assert.equal(calls.length, 1);
      // A MAC that is not HMAC-SHA256 refuses what WebCrypto's would accept.
      const wrong = setup({
        secret,
        dialect,
        hmac: (key, message) =>
          createHmac("sha512", key).update(message).digest().subarray(0, 32),
      });
      const refused = await wrong.post(headers, body);
      assert.equal(refused.status, 401);
      assert.equal(wrong.reached("v1"), false);
    });
  }
});

Deno.test("an hmac option that is not a function is a TypeError", () => {
  assert.throws(
    () => setup({ hmac: "sha256" as never }),
    (error: Error) =>
      error.name === "TypeError" &&
      /'hmac' must be a function/.test(error.message),
  );
});

Deno.test("an hmac that answers garbage refuses the message; one that throws rejects fetch and reaches no wait", async () => {
  const body = heygenBody("v1");
  const headers = await sign(HEYGEN_SIGNATURE, SECRET, body);
  const garbage = [
    new Uint8Array(0),
    new Uint8Array(32),
    new Uint8Array(64),
    "not bytes" as unknown as Uint8Array,
  ];
  for (const answer of garbage) {
    const { post, reached } = setup({ hmac: () => answer });
    assert.equal((await post(headers, body)).status, 401);
    assert.equal(reached("v1"), false);
  }
  const broken = new Error("no HMAC today");
  const { post, reached } = setup({
    hmac: () => {
      throw broken;
    },
  });
  await assert.rejects(post(headers, body), (error) => error === broken);
  assert.equal(reached("v1"), false);
});
