// The multi-process run of `deno task bench:scale`: worker processes
// (_redis_scale_worker.ts) wait on their jobs in bursts that ask for more
// than the budget, against one simulator in this process that counts the
// status requests arriving. Three runs: each worker on an in-memory share of
// the budget (the baseline, counted as the Redis budget counts: the same
// window, cut into the same slices), all on one Redis budget, and on Redis again
// with Redis killed and restarted in the middle. Loopback only; every child
// is stopped within a bound.

import { createSimulator } from "../server.ts";
import { MemoryBudget } from "../client/budget.ts";
import { SHARED_SHAPE } from "../redis/budget_shape.ts";
import type { RequestBudget } from "../client/request_budget.ts";
import { createRedisBudget } from "../redis/mod.ts";
import { delay, systemClock } from "../timing/clock.ts";
import { REDIS_SERVER, RedisServer } from "../tests/redis/_server.ts";
import {
  epochNow,
  type WorkerConfig,
  type WorkerReport,
} from "./_redis_scale_worker.ts";
import { busiestSecond, ms, percentile } from "./_stats.ts";
import { LoopLag } from "./_redis_scale_lag.ts";

const WORKER = new URL("./_redis_scale_worker.ts", import.meta.url).pathname;
/** Longest a run may take before its workers are stopped. */
const RUN_LIMIT = 180_000;

/** The run's size. */
export interface RedisScaleOptions {
  /** Worker processes. */
  workers: number;
  /** Waits per worker. */
  waits: number;
  /** Requests per second for all workers together. */
  budget: number;
  /** Bursts each worker's waits start in, and the pause between them (ms). */
  bursts: number;
  burstEvery: number;
}

interface RunResult {
  name: string;
  reports: WorkerReport[];
  busiest: number;
  arrivals: number;
  /** The busiest second of the workers' sends, on their shared clock. */
  busiestSent: number;
  /** p50 / p99 from a request's call to `fetch` to its arrival. */
  delivery: string;
  /** Where a request's time went, stage by stage. */
  stages: string;
}

/** p50 / p99 / max of `values`, in ms. */
function spread(values: number[]): string {
  return [50, 99, 100].map((p) => percentile(values, p).toFixed(1)).join(
    " / ",
  );
}

/** Runs the three runs and returns their table. */
export async function redisScaleRun(
  options: RedisScaleOptions,
): Promise<string[]> {
  const total = options.workers * options.waits;
  const title =
    `### ${options.workers} processes × ${options.waits} waits, one budget of ${options.budget} requests/s`;
  if (REDIS_SERVER === undefined) {
    return [title, "", "Not run: redis-server is not installed."];
  }
  const arrivals: number[] = [];
  /** From each status request's call to `fetch` to its arrival here. */
  const delays: number[] = [];
  /** The simulator's connections, by the workers' ports. */
  const connections = new Set<number>();
  const simulator = createSimulator({ maxJobs: 4 * total, maxHeld: total });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request, info) => {
      if (request.method === "GET") {
        const at = epochNow();
        arrivals.push(at);
        delays.push(at - Number(request.headers.get("x-sent-at")));
        connections.add(info.remoteAddr.port);
      }
      return simulator.fetch(request);
    },
  );
  await using redis = await RedisServer.start();
  const serverUrl = `http://127.0.0.1:${server.addr.port}`;
  const runs: RunResult[] = [];
  const cost = {
    redis: { p50: NaN, p99: NaN },
    memory: { p50: NaN, p99: NaN },
  };
  try {
    const run = async (name: string, shared: boolean, restart: boolean) => {
      console.error(`Multi-process budget run: ${name}…`);
      arrivals.length = 0;
      delays.length = 0;
      connections.clear();
      // From the go, not while the workers create their jobs.
      let lag: LoopLag | undefined;
      const reports = await runWorkers(
        options,
        {
          serverUrl,
          redisUrl: shared ? redis.url : null,
          key: `bench:${runs.length}`,
        },
        restart ? redis : undefined,
        () => lag = new LoopLag(),
      )
        .finally(() => lag?.stop());
      const all = (pick: (report: WorkerReport) => number[]) =>
        reports.flatMap(pick);
      runs.push({
        name,
        reports,
        busiest: busiestSecond(arrivals),
        arrivals: arrivals.length,
        busiestSent: busiestSecond(reports.flatMap((report) => report.sends)),
        delivery: `${ms(percentile(delays, 50))} / ${
          ms(percentile(delays, 99))
        }`,
        stages: `| ${name} | ${spread(all((r) => r.grantToFetch))} | ${
          spread(delays)
        } | ${spread(all((r) => r.fetchToResponse))} | ${
          spread(lag?.stop() ?? [])
        } | ${spread(all((r) => r.loopLag))} | ${connections.size} |`,
      });
    };
    await run("in-memory share per process (baseline)", false, false);
    await run("Redis budget", true, false);
    await run("Redis budget, Redis killed and restarted mid-run", true, true);
    console.error("Cost of a place that need not wait…");
    await using shared = createRedisBudget({
      url: redis.url,
      key: "bench:cost",
      maxRequestsPerSecond: options.budget,
    });
    while (shared.state === "connecting") await delay(10);
    const perSlice = options.budget * 0.8 / SHARED_SHAPE.slices;
    cost.redis = await acquireCost(shared, options.budget * 0.8, perSlice);
    cost.memory = await acquireCost(
      new MemoryBudget(options.budget, systemClock, SHARED_SHAPE),
      options.budget * 0.8,
      perSlice,
    );
  } finally {
    await server.shutdown();
    await simulator[Symbol.asyncDispose]();
  }
  const baseline = percentile(runs[0].reports.flatMap((r) => r.onBudget), 99);
  return [
    title,
    "",
    `Each process starts its waits in ${options.bursts} bursts, ${options.burstEvery} ms apart: ${
      total / options.bursts
    } first requests at once, ${
      (total / options.bursts / options.budget).toFixed(0)
    } s of the budget. Busiest second: status requests arriving at the simulator in any 1 s window; sent: the same of the workers' calls to \`fetch\`, on one clock. On the budget: from \`acquire()\` to its ticket. The baseline gives each process a fixed in-memory share (${
      options.budget / options.workers
    }/s), counted as the Redis budget counts (a ${SHARED_SHAPE.window} ms window, each ${SHARED_SHAPE.slices}th of it holding at most a ${SHARED_SHAPE.slices}th of the budget).`,
    "",
    "| Run | Results right | Busiest second at the simulator (≤ " +
    options.budget +
    ") | Busiest second sent | From fetch to arrival p50 / p99 | Status requests | On the budget p50 / p99 | p99 added over the baseline (≤ 1 ms) | Fallbacks |",
    "| --- | --: | --: | --: | --: | --: | --: | --: | --- |",
    ...runs.map(
      ({ name, reports, busiest, arrivals, busiestSent, delivery }) => {
        const onBudget = reports.flatMap((report) => report.onBudget);
        const p99 = percentile(onBudget, 99);
        const correct = reports.reduce(
          (sum, report) => sum + report.correct,
          0,
        );
        const events = reports.map((report) => report.events.join("→") || "—");
        return `| ${name} | ${correct} / ${total} | ${busiest} | ${busiestSent} | ${delivery} | ${arrivals} | ${
          ms(percentile(onBudget, 50))
        } / ${ms(p99)} | ${ms(p99 - baseline)} | ${
          [...new Set(events)].join(", ")
        } |`;
      },
    ),
    "",
    "Where a status request's time goes, p50 / p99 / max in ms: from its ticket to `fetch` (in the worker), from `fetch` to the simulator's handler (one clock), from `fetch` to its response; how late a 10 ms timer ran in the simulator's process and in the workers' (a loop that runs late stamps what it handles late); the simulator's connections (workers' ports seen).",
    "",
    "| Run | Ticket → fetch | Fetch → simulator | Fetch → response | Simulator loop late | Workers' loops late | Connections |",
    "| --- | --: | --: | --: | --: | --: | --: |",
    ...runs.map((run) => run.stages),
    "",
    `A place that need not wait (${
      options.budget * 0.8
    } requests, one process, ${
      options.budget * 0.8 / SHARED_SHAPE.slices
    } in each slice of the window, within the budget): \`acquire()\` p50 / p99 ${
      ms(cost.redis.p50)
    } / ${ms(cost.redis.p99)} on Redis, ${ms(cost.memory.p50)} / ${
      ms(cost.memory.p99)
    } in memory: p99 ${
      ms(cost.redis.p99 - cost.memory.p99)
    } added (target ≤ 1 ms).`,
  ];
}

/**
 * p50 and p99 of `acquire()` over `count` places taken, sent and done in
 * turn, `perSlice` at a time every slice of the budget's window: within
 * the budget and each of its slices, so that no place waits for another.
 */
async function acquireCost(
  budget: RequestBudget,
  count: number,
  perSlice: number,
): Promise<{ p50: number; p99: number }> {
  // What the runs before left behind (their garbage, a cold script) is not
  // the budget's cost, nor is its code's first run: collect the garbage,
  // and take as many places unmeasured first (with one slice's only, the
  // p99 read 1.7 to 1.9 ms where warm rounds read 0.8 to 1.5 ms).
  (globalThis as { gc?: () => void }).gc?.();
  await takeInTurn(budget, count, perSlice);
  await delay(SHARED_SHAPE.window);
  const times: number[] = [];
  await takeInTurn(budget, count, perSlice, times);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Takes `count` places in turn, `perSlice` a slice; notes each `acquire()`'s ms in `times`. */
async function takeInTurn(
  budget: RequestBudget,
  count: number,
  perSlice: number,
  times?: number[],
): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % perSlice === 0) {
      await delay(SHARED_SHAPE.window / SHARED_SHAPE.slices);
    }
    const started = performance.now();
    const ticket = await budget.acquire();
    times?.push(performance.now() - started);
    budget.sent(ticket);
    budget.done(ticket);
  }
}

/** Starts the workers, lets them go together, and collects their reports. */
async function runWorkers(
  options: RedisScaleOptions,
  target: Pick<WorkerConfig, "serverUrl" | "redisUrl" | "key">,
  restart: RedisServer | undefined,
  onGo: () => void,
): Promise<WorkerReport[]> {
  const children = Array.from({ length: options.workers }, (_, index) => {
    const config: WorkerConfig = {
      ...target,
      maxRequestsPerSecond: options.budget,
      share: options.budget / options.workers,
      waits: options.waits,
      bursts: options.bursts,
      burstEvery: options.burstEvery,
      seed: index + 1,
    };
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        "--allow-sys",
        WORKER,
        JSON.stringify(config),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = child.stdout.pipeThrough(new TextDecoderStream())
      .pipeThrough(lineSplitter()).getReader();
    return { child, lines };
  });
  const limit = setTimeout(() => {
    for (const { child } of children) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }, RUN_LIMIT);
  try {
    for (const { lines } of children) {
      const { value } = await lines.read();
      if (value !== "ready") throw new Error("A worker did not start");
    }
    const go = new TextEncoder().encode("go\n");
    onGo();
    await Promise.all(children.map(async ({ child }) => {
      const writer = child.stdin.getWriter();
      await writer.write(go);
      await writer.close();
    }));
    const fault = restart === undefined ? undefined : (async () => {
      // In the middle of the bursts, for a second.
      const middle = (options.bursts - 1) * options.burstEvery / 2;
      await new Promise((resolve) => setTimeout(resolve, middle));
      await restart.kill();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await restart.restart();
    })();
    const reports = await Promise.all(children.map(async ({ lines }) => {
      const { value } = await lines.read();
      if (value === undefined) {
        throw new Error("A worker ended without a report");
      }
      return JSON.parse(value) as WorkerReport;
    }));
    await fault;
    return reports;
  } finally {
    clearTimeout(limit);
    await Promise.all(children.map(({ child }) => child.status));
  }
}

function lineSplitter(): TransformStream<string, string> {
  let buffered = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) if (line !== "") controller.enqueue(line);
    },
    flush(controller) {
      if (buffered !== "") controller.enqueue(buffered);
    },
  });
}
