// The benchmark's webhook strategy, end to end on three jobs: the waits
// listen to a receiver on a loopback port, the simulator calls it back
// signed with the run's secret, and the books count the status requests.

import assert from "node:assert/strict";
import { measure, runStrategy } from "../../scripts/_bench_run.ts";
import { startBenchServer } from "../../scripts/_bench_server.ts";
import { requestBound } from "../../scripts/_bench_targets.ts";
import { STRATEGIES } from "../../scripts/_strategies.ts";
import { systemClock } from "../../timing/clock.ts";
import { seededRandom } from "../../util/random.ts";

const WEBHOOK = STRATEGIES.find((strategy) => strategy.id === "webhook")!;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

Deno.test("the benchmark's webhook strategy ends each wait on its signed callback", async () => {
  await using server = await startBenchServer({
    legacy: false,
    maxJobs: 10,
    webhookSecret: SECRET,
    webhookDropRate: 0,
  });
  const jobs = [0, 1, 2].map((i) => ({ arrival: i * 100, duration: 2_000 }));
  const detections = await runStrategy(WEBHOOK, jobs, {
    timeScale: 0.05,
    serverUrl: server.url,
    start: systemClock.now() + 10,
    random: seededRandom(1),
    webhookSecret: SECRET,
  });
  assert.deepEqual(detections.map((detection) => detection.source), [
    "webhook",
    "webhook",
    "webhook",
  ]);
  const books = await server.books();
  const { requests, latencies } = measure(detections, books);
  // Each stage measured on one thread's clock runs forward: the callback
  // leaves after its job ends, the wait hears it after it arrives and
  // resolves after that.
  for (const { id, duration, learnedAt, webhook } of detections) {
    assert.ok(webhook !== undefined, `job ${id} has its callback's times`);
    const sentAt = books.callbackSentAt.get(webhook.id);
    assert.ok(sentAt !== undefined, `callback ${webhook.id} was sent`);
    assert.ok(sentAt >= books.createdAt.get(id)! + duration);
    assert.ok(webhook.arrivedAt <= webhook.heardAt);
    assert.ok(webhook.heardAt <= learnedAt);
  }
  for (const [job, count] of requests.entries()) {
    const bound = requestBound(WEBHOOK, detections[job].duration, 0.05)!;
    assert.ok(count >= 1 && count <= bound, `job ${job}: ${count} requests`);
  }
  for (const latency of latencies) {
    assert.ok(Number.isFinite(latency) && latency >= 0, `${latency}`);
  }
});
