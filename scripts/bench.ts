/**
 * The benchmark: every waiting strategy on the same seeded workload, against
 * the simulator, side by side. Polling strategies run together against
 * `--legacy` (no hints); then long-poll, server-sent events and webhooks run
 * one at a time against the full simulator, the same workload again.
 *
 * Run `deno task bench --help` for its flags.
 *
 * @module
 */

import { runMain } from "./_flags.ts";
import { BENCH_HELP, parseBenchArgs } from "./_bench_args.ts";
import { benchReport, tableLines } from "./_bench_report.ts";
import { systemClock } from "../timing/clock.ts";
import {
  type Detection,
  measure,
  scaledDuration,
  staggeredStart,
  startInWorker,
} from "./_bench_run.ts";
import {
  type BenchBooks,
  type BenchServer,
  startBenchServer,
} from "./_bench_server.ts";
import {
  type JudgedRun,
  learnedTargetLines,
  runTargetLines,
  targetLines,
} from "./_bench_targets.ts";
import { plotSvg } from "./_plot.ts";
import { ms, percentile, summarize } from "./_stats.ts";
import { type BenchStrategy, seedBackoff, STRATEGIES } from "./_strategies.ts";
import { simulatePolling } from "./_simulate.ts";
import { workloadJobs } from "./_workload.ts";
import { webhookStageLines } from "./_webhook_stages.ts";

/**
 * The run's phases on the same workload, as indices into `chosen`: the
 * polling strategies together against the legacy server, then each push or
 * webhook strategy alone against the full one, so that its millisecond
 * latencies are its own and not those of a machine whose two cores are busy
 * with other clients and simulators.
 */
function phasesOf(chosen: readonly BenchStrategy[]): number[][] {
  const indices = chosen.map((_, index) => index);
  const polling = indices.filter((index) => chosen[index].server === "legacy");
  const push = indices.filter((index) => chosen[index].server === "full");
  return [
    ...polling.length > 0 ? [polling] : [],
    ...push.map((index) => [index]),
  ];
}

async function main(args: string[]): Promise<number> {
  const parsed = parseBenchArgs(args);
  if (parsed === "help") {
    console.log(BENCH_HELP);
    return 0;
  }
  const { count, timeScale, seed, named, dialect, receiverHmac, chosen } =
    parsed;
  const { warmUp, jobs } = workloadJobs(named, count, seed);
  // What `learned-target` aims at: the seed backoff's p95 on these jobs, in
  // virtual time (it sends no jitter, so the real run's is the same but for
  // the machine's noise).
  const aim = percentile(simulatePolling(seedBackoff(), jobs).latencies, 95);
  const { meanInterarrival } = named;
  const span = phasesOf(chosen).length *
    (jobs.at(-1)!.arrival + Math.max(...jobs.map((job) => job.duration))) *
    timeScale;
  console.error(
    `Running ${chosen.length} strategies on ${count} jobs at time scale ${timeScale} (about ${
      Math.ceil(span / 1000)
    } s)…`,
  );

  const maxJobs = count * chosen.length + 1;
  // Signs the callbacks of this run only.
  const webhookSecret = "whsec_" +
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))));
  await using servers = new AsyncDisposableStack();
  const serverOf = new Map<string, BenchServer>();
  for (const strategy of chosen) {
    const key = serverKey(strategy);
    if (serverOf.has(key)) continue;
    const server = await startBenchServer(
      strategy.server === "legacy" ? { legacy: true, maxJobs, dialect } : {
        legacy: false,
        maxJobs,
        webhookSecret,
        webhookDropRate: strategy.webhookDropRate ?? 0,
        seed,
      },
    );
    serverOf.set(key, servers.use(server));
  }
  // Every strategy's client runs in a thread of its own, each strategy of a
  // phase (the polling one) a fraction of the mean gap between arrivals
  // after the one before.
  const runners = await Promise.all(
    chosen.map((strategy) =>
      startInWorker(
        strategy.id,
        jobs,
        seed * 100 + STRATEGIES.indexOf(strategy),
      )
    ),
  );
  const lag = monitorLag();
  const detections: Detection[][] = [];
  for (const indices of phasesOf(chosen)) {
    const start = systemClock.now() + 100;
    const phase = chosen[indices[0]].server;
    const results = await Promise.all(
      indices.map((index, position) =>
        runners[index]({
          timeScale,
          serverUrl: serverOf.get(serverKey(chosen[index]))!.url,
          start: staggeredStart(
            start,
            position,
            indices.length,
            meanInterarrival * timeScale,
          ),
          // The push strategies need the full simulator's own dialect.
          dialect: phase === "legacy" ? dialect : "video-status",
          webhookSecret,
          receiverHmac,
          warmUp,
          aim,
        })
      ),
    );
    indices.forEach((index, i) => detections[index] = results[i]);
  }
  const { p99: lagP99, max: lagMax } = lag.stop();
  const books = new Map<string, BenchBooks>();
  for (const [key, server] of serverOf) books.set(key, await server.books());
  const runs: JudgedRun[] = chosen.map((strategy, index) => {
    const { requests, latencies } = measure(
      detections[index],
      books.get(serverKey(strategy))!,
    );
    return {
      strategy,
      summary: summarize(requests, latencies),
      requests,
      latencies,
      sources: detections[index].map((detection) => detection.source),
    };
  });

  console.error("Checking the learned schedule's targets in virtual time…");
  const description = { named, count, timeScale, dialect, seed };
  const report = benchReport(runs, description);
  const stageLines = chosen.flatMap((strategy, index) =>
    webhookStageLines(
      strategy,
      detections[index],
      books.get(serverKey(strategy))!,
    )
  );
  const lines = [
    ...tableLines(runs, description),
    "",
    `Timer lag of an idle thread during the run (machine noise): p99 ${
      ms(lagP99)
    }, max ${ms(lagMax)}${
      lagP99 > 5 ? " (the machine was busy: latencies are inflated)" : ""
    }.`,
    "",
    ...stageLines,
    ...stageLines.length > 0 && receiverHmac === "node"
      ? [
        "The webhook receiver verified with node:crypto's HMAC on its own thread (`--receiver-hmac node`, its `hmac` option), not WebCrypto's.",
      ]
      : [],
    ...stageLines.length > 0 ? [""] : [],
    ...targetLines(
      runs,
      jobs.map((job) => scaledDuration(job, timeScale)),
      timeScale,
    ),
    ...runTargetLines(runs, aim, timeScale),
    "",
    ...learnedTargetLines(parsed.quick ? "quick" : "full", seed),
  ];
  console.log(lines.join("\n"));

  if (parsed.json !== undefined) {
    await Deno.writeTextFile(
      parsed.json,
      JSON.stringify(report, null, 2) + "\n",
    );
    console.error(`Wrote ${parsed.json}`);
  }
  if (parsed.plot !== undefined) {
    await Deno.writeTextFile(
      parsed.plot,
      plotSvg(
        report.strategies,
        `Requests per job vs p95 latency (${named.name}, ${count} jobs; unscaled)`,
      ),
    );
    console.error(`Wrote ${parsed.plot}`);
  }
  return 0;
}

// The simulator a strategy runs against: the legacy one, or a full one
// dropping a given fraction of its callbacks.
function serverKey(strategy: BenchStrategy): string {
  return strategy.server === "legacy"
    ? "legacy"
    : `full ${strategy.webhookDropRate ?? 0}`;
}

// How late a 10 ms timer fires on an otherwise idle thread, sampled for the
// whole run: a measure of how busy the machine was.
function monitorLag(): { stop(): { p99: number; max: number } } {
  const lags: number[] = [];
  let expected = performance.now() + 10;
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - expected));
    expected = now + 10;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return { p99: percentile(lags, 99), max: Math.max(0, ...lags) };
    },
  };
}

if (import.meta.main) await runMain(main);
