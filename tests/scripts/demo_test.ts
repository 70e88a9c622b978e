import assert from "node:assert/strict";
import { runDemo } from "../../scripts/demo.ts";
import { type DialectName, PRESETS } from "../../mod.ts";

Deno.test("the demo waits on the simulator in every dialect, with its key", async (t) => {
  for (const dialect of Object.keys(PRESETS) as DialectName[]) {
    await t.step(dialect, async () => {
      const lines: string[] = [];
      const status = await runDemo({
        dialect,
        minDuration: 300,
        maxDuration: 300,
        errorRate: 1,
        log: (line) => lines.push(line),
      });
      assert.equal(status, "error");
      assert.deepEqual(lines.slice(-2), [
        "❌ Video translation failed.",
        "Final Status: error",
      ]);
    });
  }
});

Deno.test("the demo prints progress where the dialect reports it", async () => {
  const lines: string[] = [];
  const status = await runDemo({
    dialect: "openai-video",
    minDuration: 1_500,
    maxDuration: 1_500,
    errorRate: 0,
    log: (line) => lines.push(line),
  });
  assert.equal(status, "completed");
  assert.match(lines[0], /^⏳ Status: pending \(\d+ %\)\. Retrying in/);
});
