import assert from "node:assert/strict";
import { lognormal, mixture, workload } from "../../scripts/_workload.ts";
import { percentile, summarize } from "../../scripts/_stats.ts";
import { seededRandom } from "../../util/random.ts";
import { simulatePolling } from "../../scripts/_simulate.ts";

Deno.test("workload() draws lognormal durations and Poisson arrivals", () => {
  const jobs = workload({
    count: 20_000,
    seed: 1,
    meanInterarrival: 1000,
    duration: lognormal(10_000, 0.5),
  });
  const durations = jobs.map((job) => job.duration);
  assert.ok(Math.abs(percentile(durations, 50) / 10_000 - 1) < 0.03);
  // The 84th percentile of a lognormal is one σ above the median.
  assert.ok(
    Math.abs(percentile(durations, 84.13) / (10_000 * Math.exp(0.5)) - 1) <
      0.03,
  );
  assert.equal(jobs[0].arrival, 0);
  assert.ok(
    jobs.every((job, i) => i === 0 || job.arrival >= jobs[i - 1].arrival),
  );
  const span = jobs.at(-1)!.arrival / (jobs.length - 1);
  assert.ok(Math.abs(span / 1000 - 1) < 0.03);
});

Deno.test("mixture() draws from each part in proportion", () => {
  const draw = mixture(() => 1, () => 2, 0.7);
  const random = seededRandom(5);
  const draws = Array.from({ length: 10_000 }, () => draw(random));
  const ones = draws.filter((x) => x === 1).length / draws.length;
  assert.ok(Math.abs(ones - 0.7) < 0.02);
});

Deno.test("simulatePolling() counts requests and latency in virtual time", () => {
  const observed: { after: number; atMost: number; wait?: object }[] = [];
  const result = simulatePolling(
    { nextDelay: () => 1000, observe: (o) => observed.push(o) },
    [
      { arrival: 0, duration: 2500 },
      { arrival: 100, duration: 0 },
      { arrival: 200, duration: 1000 },
    ],
  );
  // Polls at 0, 1000, 2000, 3000; at 0; at 0, 1000.
  assert.deepEqual(result, { requests: [4, 1, 2], latencies: [500, 0, 0] });
  // Reported in completion order: job 2 (t = 100), job 3 (1200), job 1 (3000).
  assert.deepEqual(observed, [
    { after: 0, atMost: 0, wait: {} },
    { after: 0, atMost: 1000, wait: {} },
    { after: 2000, atMost: 3000, wait: {} },
  ]);
});

Deno.test("summarize() reports nearest-rank percentiles", () => {
  const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual(summarize([1, 2, 3], latencies), {
    requestsPerJob: 2,
    latencyP50Ms: 50,
    latencyP95Ms: 95,
    latencyP99Ms: 99,
  });
  assert.ok(Number.isNaN(percentile([], 50)));
});
