import assert from "node:assert/strict";
import {
  learnedCellMet,
  learnedTargetLines,
  learnedTargets,
  runTargetLines,
} from "../../scripts/_bench_targets.ts";
import { simulatePolling } from "../../scripts/_simulate.ts";
import { percentile, summarize } from "../../scripts/_stats.ts";
import { seedBackoff, STRATEGIES } from "../../scripts/_strategies.ts";
import { workloadJobs, WORKLOADS } from "../../scripts/_workload.ts";

Deno.test("a workload's targets hold with the p95 within 15 % either way and at most 0.85x the requests", () => {
  assert.equal(learnedCellMet(1150, 1000, 0.85), true);
  assert.equal(learnedCellMet(850, 1000, 0.85), true);
  assert.equal(learnedCellMet(1151, 1000, 0.5), false);
  assert.equal(learnedCellMet(849, 1000, 0.5), false);
  assert.equal(learnedCellMet(1000, 1000, 0.851), false);
});

Deno.test("learnedTargets() aims at the seed backoff's p95 on every named workload, reproducibly", () => {
  const first = learnedTargets("quick", 2);
  assert.deepEqual(
    first.rows.map((row) => row.workload),
    WORKLOADS.map((w) => w.name),
  );
  const { jobs } = workloadJobs(WORKLOADS[0], WORKLOADS[0].count.quick, 2);
  const seed = simulatePolling(seedBackoff(), jobs);
  assert.equal(first.rows[0].targetMs, percentile(seed.latencies, 95));
  for (const row of first.rows) {
    assert.equal(
      row.met,
      learnedCellMet(row.p95Ms, row.targetMs, row.requestRatio),
    );
  }
  // The same seed gives the same figures: nothing draws from Math.random.
  assert.deepEqual(learnedTargets("quick", 2), first);
  const lines = learnedTargetLines("quick", 2);
  assert.equal(
    lines.filter((line) =>
      line.startsWith("| ") && !line.startsWith("| workload") &&
      !line.startsWith("| ---")
    ).length,
    WORKLOADS.length,
  );
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
  assert.deepEqual(runTargetLines(runs, 4700, 0.05), [
    "- `learned-target` in this run (aimed at 4.70 s, the seed backoff's p95 in virtual time): p95 4.60 s against `seed-backoff`'s 4.80 s in the same run (-4.2 %, within 15 %) with 0.80× its requests (≤ 0.85): met",
  ]);
  const late = [
    judged("seed-backoff", 240, 5),
    judged("learned-target", 368, 4),
  ];
  assert.match(
    runTargetLines(late, 4700, 0.05)[0],
    /\(\+53\.3 %.*: \*\*missed\*\*$/,
  );
  assert.deepEqual(runTargetLines(runs.slice(0, 1), 4800, 0.05), []);
});
