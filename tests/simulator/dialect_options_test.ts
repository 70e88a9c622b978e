import assert from "node:assert/strict";
import { resolveDialectOptions } from "../../simulator/dialect_options.ts";
import { defineDialect, PRESETS } from "../../mod.ts";
import { createSimulator } from "../../server.ts";

Deno.test("resolveDialectOptions() takes a preset or a dialect, video-status by default", () => {
  assert.equal(resolveDialectOptions({}).dialect, PRESETS["video-status"]);
  for (const [name, dialect] of Object.entries(PRESETS)) {
    assert.equal(resolveDialectOptions({ dialect: name }).dialect, dialect);
  }
  const own = defineDialect({
    name: "renders",
    jobPath: "/renders/{id}",
    statusField: "state",
    pending: ["queued"],
    completed: ["done"],
    error: ["failed"],
  });
  assert.equal(resolveDialectOptions({ dialect: own }).dialect, own);
  assert.throws(() => resolveDialectOptions({ dialect: "sora" }), TypeError);
});

Deno.test("resolveDialectOptions() makes the header value of each preset's key", () => {
  assert.deepEqual(
    resolveDialectOptions({ dialect: "heygen-video", apiKey: "hg" }).key,
    { header: { name: "x-api-key" }, value: "hg" },
  );
  assert.deepEqual(
    resolveDialectOptions({ dialect: "replicate", apiKey: "r8" }).key?.value,
    "Bearer r8",
  );
});

Deno.test("a bad apiKey is a TypeError that never shows the key", () => {
  const cases: [unknown, RegExp][] = [
    ["", /current value is ""$/],
    ["sk secret", /a string with other characters \(not shown\)$/],
    ["sk\nsecret", /not shown/],
    [42, /current value is 42$/],
  ];
  for (const [apiKey, message] of cases) {
    assert.throws(
      () => createSimulator({ dialect: "replicate", apiKey: apiKey as string }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /^Cannot create the simulator as 'apiKey'/);
        assert.match(error.message, message);
        assert.ok(!error.message.includes("secret"), error.message);
        return true;
      },
    );
  }
  assert.throws(
    () => createSimulator({ apiKey: "sk-secret" }),
    (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.equal(
        error.message,
        `Cannot create the simulator as 'apiKey' needs a dialect with an auth header: the dialect "video-status" has no auth header`,
      );
      return true;
    },
  );
});
