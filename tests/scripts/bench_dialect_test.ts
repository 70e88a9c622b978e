// The benchmark's dialect-agnostic run: the learned schedule against a
// simulator that speaks another API's dialect and says only "pending" (no
// hints), counted by the same books.

import assert from "node:assert/strict";
import { measure, runStrategy } from "../../scripts/_bench_run.ts";
import { startBenchServer } from "../../scripts/_bench_server.ts";
import { STRATEGIES } from "../../scripts/_strategies.ts";
import { systemClock } from "../../timing/clock.ts";
import { seededRandom } from "../../util/random.ts";
import type { DialectName } from "../../mod.ts";

const LEARNED = STRATEGIES.find((strategy) => strategy.id === "learned")!;

// One with a create path of its own (the client's createJob) and one without
// (the simulator's POST /jobs).
for (const dialect of ["openai-video", "google-operation"] as DialectName[]) {
  Deno.test(`the benchmark's polling phase runs in the ${dialect} dialect`, async () => {
    await using server = await startBenchServer({
      legacy: true,
      maxJobs: 10,
      dialect,
    });
    const jobs = [0, 1, 2].map((i) => ({ arrival: i * 100, duration: 2_000 }));
    const detections = await runStrategy(LEARNED, jobs, {
      timeScale: 0.05,
      serverUrl: server.url,
      start: systemClock.now() + 10,
      random: seededRandom(1),
      dialect,
    });
    const { requests, latencies } = measure(detections, await server.books());
    assert.equal(detections.length, 3);
    for (const [index, count] of requests.entries()) {
      assert.ok(count >= 1, `job ${index}: ${count} status requests`);
    }
    for (const latency of latencies) {
      assert.ok(Number.isFinite(latency) && latency >= 0, `${latency}`);
    }
  });
}
