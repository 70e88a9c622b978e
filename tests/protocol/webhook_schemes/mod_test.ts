import assert from "node:assert/strict";
import {
  HEYGEN_SIGNATURE,
  resolveWebhookScheme,
  STANDARD_WEBHOOKS,
  type WebhookScheme,
} from "../../../protocol/webhook_schemes/mod.ts";
import { PRESETS } from "../../../protocol/dialects/mod.ts";

Deno.test("resolveWebhookScheme() takes a preset's name, a scheme object or nothing", () => {
  assert.equal(resolveWebhookScheme(), STANDARD_WEBHOOKS);
  assert.equal(resolveWebhookScheme(undefined), STANDARD_WEBHOOKS);
  assert.equal(resolveWebhookScheme("standard-webhooks"), STANDARD_WEBHOOKS);
  assert.equal(resolveWebhookScheme("heygen"), HEYGEN_SIGNATURE);
  const custom: WebhookScheme = { ...HEYGEN_SIGNATURE, name: "custom" };
  assert.equal(resolveWebhookScheme(custom), custom);
});

Deno.test("resolveWebhookScheme() refuses an unknown name or an object that is not a scheme", () => {
  assert.throws(() => resolveWebhookScheme("svix"), {
    name: "TypeError",
    message:
      /'scheme' must be one of "standard-webhooks", "heygen" or a scheme object: current value is "svix"$/,
  });
  assert.throws(
    () => resolveWebhookScheme("toString"),
    /current value is "toString"/,
  );
  const noVerify = { ...HEYGEN_SIGNATURE, verify: undefined };
  assert.throws(
    () => resolveWebhookScheme(noVerify as unknown as WebhookScheme),
    { name: "TypeError", message: /'scheme' must have the methods/ },
  );
});

Deno.test("each preset dialect names the scheme its vendor signs with", () => {
  const schemes = Object.fromEntries(
    Object.entries(PRESETS).map(([name, dialect]) => [
      name,
      dialect.webhookScheme?.name,
    ]),
  );
  assert.deepEqual(schemes, {
    "video-status": "standard-webhooks",
    "heygen-translate": "heygen",
    "heygen-video": "heygen",
    "replicate": "standard-webhooks",
    "google-operation": "standard-webhooks",
    "azure-operation": "standard-webhooks",
    "openai-video": "standard-webhooks",
  });
});
