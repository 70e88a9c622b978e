/**
 * The benchmark: every waiting strategy on the same seeded workload, against
 * the simulator, side by side. Polling strategies run together against
 * `--legacy` (no hints); then long-poll, server-sent events and webhooks run
 * together against the full simulator, the same workload again.
 *
 * Run `deno task bench --help` for its flags.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { joinNegativeValues } from "../simulator/cli_args.ts";
import { positiveInteger, positiveNumber, runMain } from "./_flags.ts";
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
  ms,
  targetLines,
  webhookLatency,
} from "./_bench_targets.ts";
import { type DialectName, PRESETS } from "../protocol/dialects/mod.ts";
import { plotSvg } from "./_plot.ts";
import { percentile, summarize, type Summary } from "./_stats.ts";
import { type BenchStrategy, STRATEGIES } from "./_strategies.ts";
import { webhookStageLines } from "./_webhook_stages.ts";
import {
  type DurationModel,
  lognormal,
  mixture,
  workload,
} from "./_workload.ts";

const WORKLOADS: Record<string, { model: DurationModel; text: string }> = {
  lognormal: {
    model: lognormal(10_000, 0.5),
    text: "lognormal durations (median 10 s, σ 0.5)",
  },
  bimodal: {
    model: mixture(lognormal(5000, 0.3), lognormal(30_000, 0.3), 0.7),
    text: "bimodal durations (70 % around 5 s, 30 % around 30 s, σ 0.3)",
  },
};

const HELP = `Usage: deno task bench [options]

Runs every waiting strategy on the same seeded workload against the simulator
and prints requests per job and detection latency (p50/p95/p99) as a table.
The polling strategies run together against --legacy, then long-poll, SSE and
webhooks together against the full simulator (about 100 s; --quick about 25 s).
The webhook strategies' waits listen to a receiver on a loopback port that the
simulator calls back, signed with a secret of the run, and poll every 60 s
(scaled) as the safety net; \`webhook-20%-dropped\` runs against a simulator
that drops a fifth of its callbacks (--webhook-drop-rate 0.2).

Options:
  --quick             200 jobs instead of 1000 (under 30 s)
  --jobs N            number of jobs (default 1000; --quick: 200)
  --time-scale X      factor on every duration and delay (default 0.05:
                      a 10 s job takes 500 ms)
  --workload NAME     lognormal (default) or bimodal
  --seed N            seed of the workload and of all jitter (default 1)
  --dialect NAME      the API the polling phase speaks, still without hints
                      (${Object.keys(PRESETS).join(", ")};
                      default video-status): the waiting policy is the same
                      whatever the wire
  --strategies IDS    comma-separated subset of: ${
  STRATEGIES.map((s) => s.id).join(", ")
}
  --json FILE         also write the figures as JSON to FILE
  --plot FILE         also draw requests per job against p95 latency as SVG
  -h, --help          show this help
`;

/** The JSON document `--json` writes. */
export interface BenchReport {
  /** Factor applied to every duration and delay; latencies are real ms. */
  timeScale: number;
  /** The dialect of the polling phase (the push phase speaks video-status). */
  dialect: DialectName;
  /** One entry per strategy. */
  strategies: ({
    id: string;
    /** For a webhook strategy: the jobs a webhook told, and their p99 latency. */
    webhook?: { jobs: number; latencyP99Ms: number };
  } & Summary)[];
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(args, [
      "jobs",
      "time-scale",
      "workload",
      "seed",
      "strategies",
      "dialect",
      "json",
      "plot",
    ]),
    options: {
      quick: { type: "boolean", default: false },
      jobs: { type: "string" },
      "time-scale": { type: "string", default: "0.05" },
      workload: { type: "string", default: "lognormal" },
      seed: { type: "string", default: "1" },
      strategies: { type: "string" },
      dialect: { type: "string", default: "video-status" },
      json: { type: "string" },
      plot: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const count = positiveInteger(
    "--jobs",
    values.jobs ?? (values.quick ? "200" : "1000"),
  );
  const timeScale = positiveNumber("--time-scale", values["time-scale"]);
  const seed = positiveInteger("--seed", values.seed);
  const shape = WORKLOADS[values.workload];
  if (shape === undefined) {
    throw new RangeError(
      `Cannot run the benchmark as '--workload' must be one of ${
        Object.keys(WORKLOADS).join(", ")
      }: current value is ${values.workload}`,
    );
  }
  if (!Object.hasOwn(PRESETS, values.dialect)) {
    throw new RangeError(
      `Cannot run the benchmark as '--dialect' must be one of ${
        Object.keys(PRESETS).join(", ")
      }: current value is ${values.dialect}`,
    );
  }
  const dialect = values.dialect as DialectName;
  const chosen = values.strategies === undefined
    ? STRATEGIES
    : values.strategies.split(",").map((id) => {
      const strategy = STRATEGIES.find((candidate) => candidate.id === id);
      if (strategy === undefined) {
        throw new RangeError(
          `Cannot run the benchmark as '--strategies' must list ids from ${
            STRATEGIES.map((candidate) => candidate.id).join(", ")
          }: current value is ${values.strategies}`,
        );
      }
      return strategy;
    });
  const meanInterarrival = 1000;
  const jobs = workload({
    count,
    seed,
    meanInterarrival,
    duration: shape.model,
  });
  const phases = new Set(chosen.map((strategy) => strategy.server)).size;
  const span = phases *
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
  // phase a fraction of the mean gap between arrivals after the one before.
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
  // Two phases on the same workload: the polling strategies against the
  // legacy server, then the push and webhook ones against the full one, so
  // that their millisecond latencies are not measured on a machine whose
  // two cores are busy with five polling clients.
  const detections: Detection[][] = [];
  for (const phase of ["legacy", "full"] as const) {
    const start = systemClock.now() + 100;
    const indices = chosen.flatMap((strategy, index) =>
      strategy.server === phase ? [index] : []
    );
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

  const report: BenchReport = {
    timeScale,
    dialect,
    strategies: runs.map((run) => ({
      id: run.strategy.id,
      ...run.summary,
      webhook: webhookLatency(run),
    })),
  };
  const stageLines = chosen.flatMap((strategy, index) =>
    webhookStageLines(
      strategy,
      detections[index],
      books.get(serverKey(strategy))!,
    )
  );
  const legacyServer = dialect === "video-status"
    ? "`--legacy`"
    : `\`--legacy --dialect ${dialect}\``;
  const lines = [
    `${count} jobs with ${shape.text}, arriving once a second on average (Poisson), time scale ${timeScale}: a 10 s job takes ${
      10_000 * timeScale
    } ms. Latencies are real milliseconds from the job turning terminal on the server to the client knowing.`,
    "",
    "| Strategy | Server | Requests/job | p50 latency | p95 latency | p99 latency |",
    "| --- | --- | --: | --: | --: | --: |",
    ...runs.map(({ strategy, summary }) => {
      const server = strategy.server === "legacy"
        ? legacyServer
        : strategy.webhookDropRate
        ? `full \`--webhook-drop-rate ${strategy.webhookDropRate}\``
        : "full";
      return `| \`${strategy.id}\`: ${strategy.label} | ${server} | ${
        summary.requestsPerJob.toFixed(2)
      } | ${ms(summary.latencyP50Ms)} | ${ms(summary.latencyP95Ms)} | ${
        ms(summary.latencyP99Ms)
      } |`;
    }),
    "",
    `Timer lag of an idle thread during the run (machine noise): p99 ${
      ms(lagP99)
    }, max ${ms(lagMax)}${
      lagP99 > 5 ? " (the machine was busy: latencies are inflated)" : ""
    }.`,
    "",
    ...stageLines,
    ...stageLines.length > 0 ? [""] : [],
    ...targetLines(
      runs,
      jobs.map((job) => scaledDuration(job, timeScale)),
      timeScale,
    ),
  ];
  console.log(lines.join("\n"));

  if (values.json !== undefined) {
    await Deno.writeTextFile(
      values.json,
      JSON.stringify(report, null, 2) + "\n",
    );
    console.error(`Wrote ${values.json}`);
  }
  if (values.plot !== undefined) {
    await Deno.writeTextFile(
      values.plot,
      plotSvg(
        report.strategies,
        `Requests per job vs p95 latency (${count} jobs, time scale ${timeScale})`,
      ),
    );
    console.error(`Wrote ${values.plot}`);
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
