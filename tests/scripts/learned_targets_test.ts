import assert from "node:assert/strict";
import {
  cellHolds,
  learnedTargetLines,
  meanRequestRatio,
  p95Error,
  requestRatio,
  runTargetLines,
  type WorkloadTarget,
  workloadTarget,
} from "../../scripts/_learned_targets.ts";
import { simulatePolling } from "../../scripts/_simulate.ts";
import { seedBackoff, STRATEGIES } from "../../scripts/_strategies.ts";
import { percentile, summarize } from "../../scripts/_stats.ts";
import {
  lognormal,
  type NamedWorkload,
  workloadJobs,
} from "../../scripts/_workload.ts";
import type { CompletionObservation } from "../../timing/schedule.ts";

function target(
  workload: string,
  learnedP95Ms: number,
  learnedRequests: number,
  batch = false,
): WorkloadTarget {
  return {
    workload,
    batch,
    jobs: 10,
    targetMs: 1000,
    learnedP95Ms,
    seedRequests: 10,
    learnedRequests,
  };
}

Deno.test("a workload's cell holds with the p95 within 15 % either way and at most 0.85x the requests", () => {
  assert.equal(cellHolds(target("a", 1150, 8.5)), true);
  assert.equal(cellHolds(target("a", 850, 8.5)), true);
  assert.equal(cellHolds(target("a", 1151, 5)), false);
  assert.equal(cellHolds(target("a", 849, 5)), false);
  assert.equal(cellHolds(target("a", 1000, 8.51)), false);
  assert.ok(Math.abs(p95Error(target("a", 1100, 1)) - 0.1) < 1e-12);
  assert.equal(requestRatio(target("a", 1000, 6)), 0.6);
});

Deno.test("the geometric mean of the request ratios leaves the batch out", () => {
  const targets = [
    target("a", 1000, 4),
    target("b", 1000, 9),
    target("batch", 1000, 100, true),
  ];
  assert.ok(Math.abs(meanRequestRatio(targets) - 0.6) < 1e-12);
});

const SMALL: NamedWorkload = {
  name: "small",
  text: "small",
  duration: lognormal(5000, 0.5),
  meanInterarrival: 1000,
  count: { full: 40, quick: 20 },
};

Deno.test("workloadTarget() aims the learned schedule at the seed backoff's p95 on the same jobs", () => {
  const { jobs } = workloadJobs(SMALL, 40, 3);
  const seed = simulatePolling(seedBackoff(), jobs);
  let aimedAt: number | undefined;
  const result = workloadTarget(SMALL, 40, 3, (targetLatency) => {
    aimedAt = targetLatency;
    return { nextDelay: () => targetLatency };
  });
  assert.equal(aimedAt, percentile(seed.latencies, 95));
  assert.equal(result.targetMs, aimedAt);
  assert.equal(result.jobs, 40);
  assert.equal(result.batch, false);
  // A fixed interval of the target is never later than the target.
  assert.ok(result.learnedP95Ms <= result.targetMs);
});

Deno.test("workloadTarget() warms a warm workload's schedule on its warm-up jobs first", () => {
  const observed: CompletionObservation[] = [];
  const batch: NamedWorkload = {
    ...SMALL,
    name: "batch",
    meanInterarrival: 0,
    warm: true,
  };
  const result = workloadTarget(batch, 30, 3, () => ({
    nextDelay: () => 500,
    observe: (observation) => observed.push(observation),
  }));
  // The warm-up's 30 completions, then the batch's 30.
  assert.equal(observed.length, 60);
  assert.equal(result.batch, true);
});

Deno.test("learnedTargetLines() prints one row per workload and says whether all hold", () => {
  const held = learnedTargetLines([
    target("a", 1000, 6),
    target("batch", 1100, 8, true),
  ], true);
  assert.ok(held[0].includes("--quick sizes"));
  assert.match(
    held.find((line) => line.startsWith("| `a`"))!,
    /\| 1\.00 s \| 1\.00 s \| \+0\.0 % \| 10\.00 \| 6\.00 \| 0\.60× \| met \|$/,
  );
  assert.match(held.at(-2)!, /over the 1 non-batch workloads: 0\.60× .*: met$/);
  assert.equal(held.at(-1), "- Issue 13's targets: all met");
  const missed = learnedTargetLines([target("a", 1200, 6)], false);
  assert.ok(missed.some((line) => line.endsWith("| **missed** |")));
  assert.equal(missed.at(-1), "- Issue 13's targets: **not all met**");
});

Deno.test("runTargetLines() checks the real run's learned-target against its seed-backoff, unscaled", () => {
  const judged = (id: string, latency: number, requests: number) => {
    const latencies = Array.from({ length: 20 }, () => latency);
    const perJob = latencies.map(() => requests);
    return {
      strategy: STRATEGIES.find((strategy) => strategy.id === id)!,
      summary: summarize(perJob, latencies),
      requests: perJob,
      latencies,
      sources: latencies.map(() => "poll" as const),
    };
  };
  // At time scale 0.05, 240 ms measured is 4.8 s of the workload.
  const runs = [
    judged("seed-backoff", 240, 5),
    judged("learned-target", 230, 4),
  ];
  assert.deepEqual(runTargetLines(runs, 4800, 0.05), [
    "- `learned-target` in this run, aimed at 4.80 s: p95 4.60 s (-4.2 %, within 15 %) with 0.80× the requests of `seed-backoff` (≤ 0.85): met",
  ]);
  assert.match(
    runTargetLines(runs, 3000, 0.05)[0],
    /\(\+53\.3 %.*: \*\*missed\*\*$/,
  );
  assert.deepEqual(runTargetLines(runs.slice(0, 1), 4800, 0.05), []);
});
