import assert from "node:assert/strict";
import {
  benchReport,
  tableLines,
  unscaledSummary,
} from "../../scripts/_bench_report.ts";
import type { JudgedRun } from "../../scripts/_bench_targets.ts";
import { plotSvg } from "../../scripts/_plot.ts";
import { latency, ms, summarize } from "../../scripts/_stats.ts";
import { STRATEGIES } from "../../scripts/_strategies.ts";
import { namedWorkload } from "../../scripts/_workload.ts";
import type { UpdateSource } from "../../mod.ts";

// A run whose measured (scaled) latencies are 10, 20, …, 1000 ms.
function run(id: string, source: UpdateSource = "poll"): JudgedRun {
  const latencies = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
  const requests = latencies.map(() => 3);
  return {
    strategy: STRATEGIES.find((strategy) => strategy.id === id)!,
    summary: summarize(requests, latencies),
    requests,
    latencies,
    sources: latencies.map(() => source),
  };
}

Deno.test("unscaledSummary() gives latencies in the workload's time, for any time scale", () => {
  for (const timeScale of [0.01, 0.05, 0.5, 1, 2]) {
    const summary = unscaledSummary(run("learned"), timeScale);
    assert.equal(summary.requestsPerJob, 3);
    assert.equal(summary.latencyP50Ms, 500 / timeScale);
    assert.equal(summary.latencyP95Ms, 950 / timeScale);
    assert.equal(summary.latencyP99Ms, 990 / timeScale);
  }
});

Deno.test("unscaledSummary() keeps what a push brought as measured, for any time scale", () => {
  for (const source of ["long-poll", "sse", "websocket", "webhook"] as const) {
    for (const timeScale of [0.01, 0.05, 1]) {
      const summary = unscaledSummary(run("sse", source), timeScale);
      assert.equal(summary.latencyP50Ms, 500);
      assert.equal(summary.latencyP99Ms, 990);
    }
  }
  // A mixed run: the polled half is unscaled, the pushed half is not.
  const mixed = run("webhook-20%-dropped");
  mixed.sources = mixed.latencies.map((_, i) => i < 50 ? "webhook" : "poll");
  const summary = unscaledSummary(mixed, 0.5);
  assert.equal(summary.latencyP50Ms, 500);
  assert.equal(summary.latencyP99Ms, 1980);
});

Deno.test("latency() shows milliseconds under a second, else seconds", () => {
  assert.equal(latency(4.2), "4.20 ms");
  assert.equal(latency(42), "42.0 ms");
  assert.equal(latency(999), "999.0 ms");
  assert.equal(latency(4880), "4.88 s");
  assert.equal(latency(17_750), "17.8 s");
  assert.equal(ms(0.5), "0.50 ms");
});

Deno.test("tableLines() names the workload and prints latencies in the workload's time", () => {
  const description = {
    named: namedWorkload("batch")!,
    count: 300,
    timeScale: 0.05,
    dialect: "video-status" as const,
  };
  const lines = tableLines([run("seed-backoff"), run("sse")], description);
  assert.match(
    lines[0],
    /^300 jobs \(`--workload batch`\) with .*, all started together; learning schedules warmed first/,
  );
  assert.match(
    lines[0],
    /time scale 0\.05 \(a 10 s job took 500 ms\); latencies in the workload's time/,
  );
  assert.equal(
    lines.find((line) => line.startsWith("| `seed-backoff`")),
    "| `seed-backoff`: Seed's backoff (1 s, ×2, cap 5 s) | `--legacy` | 3.00 | 10.0 s | 19.0 s | 19.8 s |",
  );
  assert.match(lines.at(-1)!, /^\| `sse`: .* \| full \| 3\.00 \| 10\.0 s \|/);
  const lognormal = tableLines([], {
    ...description,
    named: namedWorkload("lognormal")!,
    dialect: "replicate",
  });
  assert.match(lognormal[0], /arriving every 1 s on average \(Poisson\)\. Run/);
});

Deno.test("benchReport() writes unscaled figures with what reproduces them", () => {
  const report = benchReport([run("learned")], {
    named: namedWorkload("pareto-mix")!,
    count: 200,
    timeScale: 0.1,
    dialect: "video-status",
    seed: 3,
  });
  assert.equal(report.workload, "pareto-mix");
  assert.equal(report.jobs, 200);
  assert.equal(report.seed, 3);
  assert.equal(report.timeScale, 0.1);
  assert.equal(report.strategies[0].latencyP95Ms, 9500);
});

Deno.test("plotSvg() labels its latency axis in seconds", () => {
  const svg = plotSvg([
    { id: "a", requestsPerJob: 5, latencyP95Ms: 4_800 },
    { id: "b", requestsPerJob: 2, latencyP95Ms: 40 },
  ], "t");
  assert.ok(svg.includes("p95 detection latency (s, unscaled, log scale)"));
  const ticks = [...svg.matchAll(/text-anchor="middle">([\d.]+)<\/text>/g)]
    .map(([, tick]) => tick);
  assert.deepEqual(ticks, [
    "0.01",
    "0.02",
    "0.05",
    "0.1",
    "0.2",
    "0.5",
    "1",
    "2",
    "5",
    "10",
  ]);
});
