/**
 * The scale benchmark: one client process waiting on 10,000 jobs at once
 * under a shared request budget, the simulator holding their 10,000
 * long-polls, and the simulator's throughput against a bare `Deno.serve`
 * handler under `wrk`, the learned schedule's cost per observation as
 * observations grow, and an abuse run: the simulator under a low
 * descriptor limit with idle and slow (slowloris) connections besides its
 * normal traffic.
 *
 * Run `deno task bench:scale --help` for its flags.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { joinNegativeValues } from "../simulator/cli_args.ts";
import { positiveInteger, runMain } from "./_flags.ts";
import { type Job, VideoStatusClient } from "../mod.ts";
import type { FinalStatus } from "../protocol/status.ts";
import { spawnServer } from "./_spawn_server.ts";
import { abuseRun } from "./_abuse.ts";
import { planCost, planCostLines } from "./_plan_cost.ts";
import { busiestSecond, mebibytes } from "./_stats.ts";
import { redisScaleRun } from "./_redis_scale.ts";
import { runWrk, type WrkResult } from "./_wrk.ts";
import { seededRandom } from "../util/random.ts";

const HELP = `Usage: deno task bench:scale [options]

Waits on many jobs at once from one client under a shared request budget,
with the simulator holding every long-poll, then compares the simulator's
GET /status throughput with a bare Deno.serve handler using wrk. Also times
the learned schedule's observe() and the nextDelay() after it at 1,000,
10,000 and 100,000 observations (its plan is rebuilt there).

Options:
  --waits N       concurrent waits (default 10000)
  --budget N      the client's maxRequestsPerSecond (default 2000)
  --seconds N     length of each wrk run (default 5; four runs)
  --abuse         run only the abuse run: the simulator under ulimit -n 256,
                  first with normal traffic alone (10 s), then with 1,000
                  idle and 1,000 slow connections besides it
  --abuse-seconds N  length of the abuse run (default 30)
  --redis         run only the multi-process run: 4 worker processes x 2,500
                  waits under one budget of 500 requests/s (in memory per
                  process, then on Redis, then on Redis restarted midway);
                  needs redis-server
  -h, --help      show this help
`;

const SERVER = new URL("../server.ts", import.meta.url).pathname;
/** The multi-process run of issue 14. */
const REDIS_RUN = {
  workers: 4,
  waits: 2500,
  budget: 500,
  bursts: 5,
  burstEvery: 5000,
};
const BARE_SERVER = new URL("./_bare_server.ts", import.meta.url).pathname;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(args, [
      "waits",
      "budget",
      "seconds",
      "abuse-seconds",
    ]),
    options: {
      abuse: { type: "boolean", default: false },
      redis: { type: "boolean", default: false },
      "abuse-seconds": { type: "string", default: "30" },
      waits: { type: "string", default: "10000" },
      budget: { type: "string", default: "2000" },
      seconds: { type: "string", default: "5" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const waits = positiveInteger("--waits", values.waits);
  const budget = positiveInteger("--budget", values.budget);
  const seconds = positiveInteger("--seconds", values.seconds);
  const abuseSeconds = positiveInteger(
    "--abuse-seconds",
    values["abuse-seconds"],
  );
  if (values.abuse) {
    console.log((await abuseRun(SERVER, abuseSeconds)).join("\n"));
    return 0;
  }
  if (values.redis) {
    console.log((await redisScaleRun(REDIS_RUN)).join("\n"));
    return 0;
  }
  const lines = [
    ...(await sleepingWaits(waits)),
    "",
    ...(await manyWaits(waits, budget, "long-poll")),
    "",
    ...(await manyWaits(waits, budget, "poll")),
    "",
    ...planCostLines(planCost()),
    "",
    ...(await throughput(seconds)),
    "",
    ...(await abuseRun(SERVER, abuseSeconds)),
    "",
    ...(await redisScaleRun(REDIS_RUN)),
  ];
  console.log(lines.join("\n"));
  return 0;
}

/**
 * The client's own state per wait: many waits sleeping between polls, with
 * no request in flight, so that neither sockets nor the runtime's fetch
 * machinery count. The answers come from an in-process fetch.
 */
async function sleepingWaits(waits: number): Promise<string[]> {
  console.error(`Measuring the heap of ${waits} sleeping waits…`);
  const body = JSON.stringify({ result: "pending" });
  let answered = 0;
  const client = new VideoStatusClient({
    strategy: "poll",
    initialDelay: 60_000,
    maxDelay: 60_000,
    fetch: () => {
      answered++;
      return Promise.resolve(new Response(body));
    },
  });
  const stop = new AbortController();
  collectGarbage();
  const heapBefore = Deno.memoryUsage().heapUsed;
  const results = Array.from(
    { length: waits },
    () => client.getStatus({ signal: stop.signal }).catch(() => {}),
  );
  while (answered < waits) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  collectGarbage();
  const heapPerWait = (Deno.memoryUsage().heapUsed - heapBefore) / waits;
  stop.abort();
  await Promise.all(results);
  return [
    `### ${waits} concurrent waits sleeping between polls (the client's own state)`,
    "",
    "| Measure | Value | Target |",
    "| --- | --: | --- |",
    `| Client heap per sleeping wait | ${
      (heapPerWait / 1024).toFixed(2)
    } KiB | ≤ 2 KB |`,
  ];
}

/**
 * Many concurrent waits from one client against a simulator process: with
 * `long-poll` the simulator holds every wait's request; with `poll` it is in
 * `--legacy` mode and the waits poll on the default backoff.
 */
async function manyWaits(
  waits: number,
  budget: number,
  mode: "long-poll" | "poll",
): Promise<string[]> {
  console.error(
    `Waiting on ${waits} jobs at once (${mode}), ${budget} requests/s…`,
  );
  await using server = await spawnServer(SERVER, [
    "--port=0",
    `--max-jobs=${2 * waits}`,
    ...(mode === "poll" ? ["--legacy"] : []),
  ]);
  const serverIdle = await rssOf(server.pid);
  const sent: number[] = [];
  const client = new VideoStatusClient({
    serverUrl: server.url,
    maxRequestsPerSecond: budget,
    strategy: mode === "poll" ? "poll" : "auto",
    timeout: 120_000,
    fetch: (input, init) => {
      if ((init?.method ?? "GET") === "GET") sent.push(performance.now());
      return fetch(input, init);
    },
  });
  // Jobs of 10 to 20 s, one in ten ending in error, created beforehand
  // (creating is not a wait, so it is outside the budget).
  const random = seededRandom(1);
  const scripts = Array.from({ length: waits }, (_, i) => ({
    duration: 10_000 + 10_000 * random(),
    outcome: (i % 10 === 0 ? "error" : "completed") as FinalStatus,
  }));
  const jobs: Job[] = [];
  for (let i = 0; i < waits; i += 500) {
    jobs.push(
      ...await Promise.all(
        scripts.slice(i, i + 500).map((script) => client.createJob(script)),
      ),
    );
  }

  collectGarbage();
  const heapBefore = Deno.memoryUsage().heapUsed;
  const started = performance.now();
  const results = jobs.map((job, i) =>
    client.waitForJob(job).then((final) => final.result === scripts[i].outcome)
  );
  // Once every wait has sent its first request, all are under way at once.
  while (sent.length < waits) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200));
  collectGarbage();
  const heapPerWait = (Deno.memoryUsage().heapUsed - heapBefore) / waits;
  const serverHolding = await rssOf(server.pid);
  const correct = (await Promise.all(results)).filter(Boolean).length;
  const elapsed = (performance.now() - started) / 1000;
  const busiest = busiestSecond(sent);
  const serverAfter = await rssOf(server.pid);

  const held = mode === "long-poll" ? "holding" : "answering";
  return [
    mode === "long-poll"
      ? `### ${waits} concurrent waits in one client, long-polling (the simulator holds them all)`
      : `### ${waits} concurrent waits in one client, polling a \`--legacy\` simulator`,
    "",
    "| Measure | Value | Target |",
    "| --- | --: | --- |",
    `| Waits ending with the scripted result | ${correct} / ${waits} | all |`,
    `| Status requests sent | ${sent.length} (${
      (sent.length / waits).toFixed(2)
    } per wait) | |`,
    `| Most requests in any 1 s window | ${busiest} | ≤ ${budget} (maxRequestsPerSecond) |`,
    `| Client heap per wait, with the runtime's fetch and socket state (${
      mode === "long-poll" ? "request held" : "mostly sleeping"
    }) | ${(heapPerWait / 1024).toFixed(2)} KiB | |`,
    `| Simulator RSS: idle → ${held} ${waits} waits → after | ${
      mebibytes(serverIdle)
    } → ${mebibytes(serverHolding)} → ${mebibytes(serverAfter)} | bounded |`,
    ...(mode === "long-poll"
      ? [
        `| Simulator RSS per held long-poll | ${
          ((serverHolding - serverIdle) / waits / 1024).toFixed(1)
        } KiB | |`,
      ]
      : []),
    `| Time from first wait to last result | ${elapsed.toFixed(1)} s | |`,
  ];
}

/** Simulator throughput against a bare handler returning the same bytes. */
async function throughput(seconds: number): Promise<string[]> {
  console.error(
    `Measuring GET /status throughput with wrk (${4 * seconds} s)…`,
  );
  // The default job never finishes, so every answer is the same.
  await using simulator = await spawnServer(SERVER, [
    "--port=0",
    "--min-duration=86400",
    "--max-duration=86400",
  ]);
  const sample = await fetch(`${simulator.url}/status`);
  const headers = [...sample.headers].filter(([name]) =>
    name !== "date" && name !== "content-length"
  );
  await using bare = await spawnServer(BARE_SERVER, [
    JSON.stringify({
      status: sample.status,
      headers,
      body: await sample.text(),
    }),
  ]);
  const load = { seconds, connections: 32, threads: 1 };
  const runs: { bare: WrkResult[]; simulator: WrkResult[] } = {
    bare: [],
    simulator: [],
  };
  // Alternate, so that both see the same machine.
  for (let round = 0; round < 2; round++) {
    runs.bare.push(await runWrk(`${bare.url}/status`, load));
    runs.simulator.push(await runWrk(`${simulator.url}/status`, load));
  }
  const mean = (results: WrkResult[]) =>
    results.reduce((sum, result) => sum + result.requestsPerSecond, 0) /
    results.length;
  const errors = [...runs.bare, ...runs.simulator].reduce(
    (sum, result) => sum + result.errors,
    0,
  );
  const ratio = mean(runs.simulator) / mean(runs.bare);
  return [
    `### GET /status throughput (wrk, ${load.threads} thread, ${load.connections} connections, 2 × ${seconds} s each, alternating)`,
    "",
    "| Server | Requests/s |",
    "| --- | --: |",
    `| Bare \`Deno.serve\`, same bytes | ${mean(runs.bare).toFixed(0)} |`,
    `| Simulator | ${mean(runs.simulator).toFixed(0)} |`,
    `| Ratio (target ≥ 0.8) | ${ratio.toFixed(2)} |`,
    ...(errors > 0 ? [`| Errors | ${errors} |`] : []),
  ];
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    throw new Error(
      "Cannot measure the heap as gc() is unavailable: run with --v8-flags=--expose-gc",
    );
  }
  gc();
}

/** Resident memory of a process in bytes, as `ps` reports it. */
async function rssOf(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  return Number(new TextDecoder().decode(stdout).trim()) * 1024;
}

if (import.meta.main) await runMain(main);
