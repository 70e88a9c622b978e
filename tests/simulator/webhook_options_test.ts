import assert from "node:assert/strict";
import {
  checkCallbackUrl,
  resolveWebhookOptions,
} from "../../simulator/webhook_options.ts";
import { createSimulator } from "../../server.ts";

Deno.test("resolveWebhookOptions() applies the defaults", () => {
  const config = resolveWebhookOptions({});
  assert.equal(config.secret, undefined);
  assert.deepEqual(
    [config.dropRate, config.duplicateRate, config.minDelay, config.maxDelay],
    [0, 0, 0, 0],
  );
  assert.equal(config.allowHosts.size, 0);
  assert.equal(config.fetch, globalThis.fetch);
  assert.equal(config.hmac, undefined, "WebCrypto's");
});

Deno.test("the callback secret is checked in the form of the dialect's scheme", () => {
  assert.equal(resolveWebhookOptions({}).scheme.name, "standard-webhooks");
  const heygen = resolveWebhookOptions({ webhookSecret: "plain" }, "heygen");
  assert.equal(heygen.scheme.name, "heygen");
  assert.equal(heygen.secret, "plain");
  assert.throws(() => resolveWebhookOptions({ webhookSecret: "plain" }), {
    name: "TypeError",
    message: /\(scheme standard-webhooks\)/,
  });
  assert.throws(
    () => createSimulator({ dialect: "heygen-video", webhookSecret: "a b" }),
    {
      name: "TypeError",
      message:
        /'webhookSecret' must be the endpoint secret, printable characters without spaces \(scheme heygen\): current value is a string in another form \(not shown\)$/,
    },
  );
  assert.throws(() => resolveWebhookOptions({}, "svix"), TypeError);
  // A Standard Webhooks secret is printable: a HeyGen dialect takes it too.
  createSimulator({
    dialect: "heygen-video",
    webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  });
});

Deno.test("bad webhook options are refused when the simulator is created", () => {
  const cases: [Record<string, unknown>, typeof Error, RegExp][] = [
    [
      { webhookSecret: "s3cret" },
      TypeError,
      /'webhookSecret' must be "whsec_" followed by the base64 of the key \(scheme standard-webhooks\): current value is a string in another form \(not shown\)/,
    ],
    [{ webhookSecret: "whsec_abc" }, TypeError, /'webhookSecret'/],
    [{ webhookSecret: 7 }, TypeError, /current value is 7/],
    [
      { webhookDropRate: 1.5 },
      RangeError,
      /'webhookDropRate' must be a number from 0 to 1: current value is 1.5/,
    ],
    [{ webhookDuplicateRate: -1 }, RangeError, /'webhookDuplicateRate'/],
    [
      { minWebhookDelay: 1.5 },
      RangeError,
      /'minWebhookDelay' must be an integer number of milliseconds/,
    ],
    [
      { minWebhookDelay: 5, maxWebhookDelay: 2 },
      RangeError,
      /'minWebhookDelay' must not exceed 'maxWebhookDelay'/,
    ],
    [
      { webhookAllowHosts: "example.com" },
      TypeError,
      /'webhookAllowHosts' must be an array of host names/,
    ],
    [{ webhookAllowHosts: [""] }, TypeError, /'webhookAllowHosts'/],
    [{ fetch: "fetch" }, TypeError, /'fetch' must be a function/],
    [
      { webhookHmac: "sha256" },
      TypeError,
      /'webhookHmac' must be a function: current value is "sha256"/,
    ],
  ];
  for (const [options, type, pattern] of cases) {
    assert.throws(() => createSimulator(options), (error: Error) => {
      assert.ok(error instanceof type, `${JSON.stringify(options)}: ${error}`);
      assert.match(error.message, pattern);
      assert.match(error.message, /^Cannot create the simulator as /);
      return true;
    });
  }
});

Deno.test("checkCallbackUrl() allows loopback hosts only, and the allowed ones", () => {
  const loopback = resolveWebhookOptions({});
  for (
    const url of [
      "http://127.0.0.1/h",
      "http://127.255.0.9:81/h",
      "https://[::1]/h",
      "http://localhost/h",
      "http://2130706433/h", // 127.0.0.1, as URL normalises it
    ]
  ) assert.equal(checkCallbackUrl(url, loopback), undefined, url);
  for (
    const url of [
      "http://128.0.0.1/h",
      "http://[::ffff:7f00:1]/h",
      "http://localhost.test/h",
      "http://0.0.0.0/h",
    ]
  ) {
    assert.match(
      String(checkCallbackUrl(url, loopback)),
      /--webhook-allow-host/,
      url,
    );
  }
  const widened = resolveWebhookOptions({ webhookAllowHosts: ["HOOKS.test"] });
  assert.equal(checkCallbackUrl("https://hooks.test/h", widened), undefined);
  assert.match(
    String(checkCallbackUrl("https://sub.hooks.test/h", widened)),
    /loopback/,
  );
});
