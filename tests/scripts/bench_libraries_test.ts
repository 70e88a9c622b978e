// The other libraries the benchmark compares, each the real package in its
// few lines of glue, end to end on a few jobs against the legacy simulator:
// their requests counted by the same books as our strategies'.

import assert from "node:assert/strict";
import { measure, runStrategy } from "../../scripts/_bench_run.ts";
import { startBenchServer } from "../../scripts/_bench_server.ts";
import { STRATEGIES } from "../../scripts/_strategies.ts";
import { systemClock } from "../../timing/clock.ts";
import { seededRandom } from "../../util/random.ts";

// Large enough that a busy machine's timer lag and request times, which the
// libraries add to every delay, stay well under a second of the workload.
const TIME_SCALE = 0.2;

// Jobs of 4.5 s (900 ms at this scale), and the requests each library sends
// on one: p-wait-for at 0, 1, …, 5 s; p-retry at 0, 1, 3, 7 s; the smithy
// waiter at 0 and after delays of 2 s, 2–4 s and 2–8 s, so three or four.
// A slow machine can only make them fewer; a library given its delays
// unscaled (1 s or 2 s of real time) would send two.
const EXPECTED: Record<string, { min: number; max: number }> = {
  "p-wait-for-1s": { min: 3, max: 6 },
  "p-retry": { min: 3, max: 4 },
  "smithy-waiter": { min: 3, max: 4 },
};

for (const [id, { min, max }] of Object.entries(EXPECTED)) {
  Deno.test(`the benchmark's ${id} strategy polls through the real library`, async () => {
    const strategy = STRATEGIES.find((candidate) => candidate.id === id)!;
    assert.ok(strategy.wait !== undefined, `${id} waits with its library`);
    assert.equal(strategy.server, "legacy");
    await using server = await startBenchServer({ legacy: true, maxJobs: 10 });
    const jobs = [0, 1, 2].map((i) => ({ arrival: i * 500, duration: 4_500 }));
    const detections = await runStrategy(strategy, jobs, {
      timeScale: TIME_SCALE,
      serverUrl: server.url,
      start: systemClock.now() + 10,
      random: seededRandom(1),
    });
    const { requests, latencies } = measure(detections, await server.books());
    for (const [index, count] of requests.entries()) {
      assert.ok(
        count >= min && count <= max,
        `job ${index}: ${count} status requests, expected ${min}–${max}`,
      );
    }
    for (const latency of latencies) {
      assert.ok(Number.isFinite(latency) && latency >= 0, `${latency}`);
    }
  });
}
