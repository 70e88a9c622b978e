// End to end over a real socket: the simulator on a free port and the client
// waiting on it, as the demo does, with short delays. Log lines are printed
// so they show in the test output.

import assert from "node:assert/strict";
import { runDemo } from "../scripts/demo.ts";
import { serve } from "../server.ts";
import { type Strategy, VideoStatusClient } from "../mod.ts";

for (const [outcome, errorRate] of [["completed", 0], ["error", 1]] as const) {
  Deno.test(`the demo ends with '${outcome}' over a real socket`, async () => {
    const lines: string[] = [];
    const status = await runDemo({
      minDuration: 300,
      maxDuration: 300,
      errorRate,
      log: (line) => {
        console.log(line);
        lines.push(line);
      },
    });
    assert.equal(status, outcome);
    assert.match(
      lines[0],
      /^⏳ Status: pending\. Retrying in \d+\.\d s\.\.\.$/,
    );
    assert.equal(
      lines.at(-2),
      outcome === "completed"
        ? "✅ Video translation completed!"
        : "❌ Video translation failed.",
    );
    assert.equal(lines.at(-1), `Final Status: ${outcome}`);
  });
}

const strategies: Strategy[] = ["poll", "auto", "long-poll", "sse"];
Deno.test("every strategy waits for scripted jobs over a real socket", async (t) => {
  await using server = await serve({ port: 0, seed: 1 });
  for (const strategy of strategies) {
    await t.step(strategy, async () => {
      const client = new VideoStatusClient({
        serverUrl: server.url,
        strategy,
        initialDelay: 50,
        maxDelay: 100,
        timeout: 20_000,
      });
      const [done, failed] = await Promise.all([
        client.createJob({ duration: 300, outcome: "completed" }).then((job) =>
          client.waitForJob(job)
        ),
        client.createJob({ duration: 200, outcome: "error" }).then((job) =>
          client.waitForJob(job)
        ),
      ]);
      assert.equal(done.result, "completed");
      assert.equal(failed.result, "error");
      assert.ok(done.elapsed >= 300, `elapsed ${done.elapsed}`);
      if (strategy !== "poll") {
        // Held requests and pushed events need one request per job.
        assert.equal(done.attempt, 1, `${strategy}: ${done.attempt} requests`);
      }
    });
  }
});

Deno.test("an unknown job is a 404 HTTPError over a real socket", async () => {
  await using server = await serve({ port: 0 });
  const client = new VideoStatusClient({ serverUrl: server.url });
  await assert.rejects(client.waitForJob("no-such-job"), {
    name: "HTTPError",
    status: 404,
  });
});
