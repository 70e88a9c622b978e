// One worker process of the multi-process budget run (_redis_scale.ts): it
// creates its jobs, says "ready", waits for a line on stdin, then waits on
// every job in bursts under the budget it is given (the shared Redis one, or
// an in-memory share for comparison), and prints one line of JSON: how many
// results were right and how long each request spent on the budget.

import { VideoStatusClient } from "../client.ts";
import { MemoryBudget } from "../client/budget.ts";
import { SHARED_SHAPE } from "../redis/budget_shape.ts";
import type { RequestBudget } from "../client/request_budget.ts";
import type { FinalStatus } from "../protocol/status.ts";
import { createRedisBudget, type RedisBudgetEvent } from "../redis/mod.ts";
import { systemClock } from "../timing/clock.ts";
import { seededRandom } from "../util/random.ts";
import { LoopLag } from "./_redis_scale_lag.ts";

/** What the parent tells a worker, as its one argument (JSON). */
export interface WorkerConfig {
  serverUrl: string;
  /** The shared budget's Redis, or null for an in-memory budget of `share`. */
  redisUrl: string | null;
  key: string;
  maxRequestsPerSecond: number;
  share: number;
  waits: number;
  bursts: number;
  burstEvery: number;
  seed: number;
}

/** What a worker prints when it is done. */
export interface WorkerReport {
  correct: number;
  waits: number;
  /** Milliseconds each request spent in `acquire()`. */
  onBudget: number[];
  /** When each status request went to `fetch`, in epoch milliseconds. */
  sends: number[];
  /** Milliseconds from each ticket granted to its request's `fetch`. */
  grantToFetch: number[];
  /** Milliseconds from each status request's `fetch` to its response. */
  fetchToResponse: number[];
  /** How late this process's event loop ran a 10 ms timer, in ms. */
  loopLag: number[];
  events: RedisBudgetEvent["state"][];
}

/** Epoch milliseconds with the monotonic clock's precision. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

async function main(config: WorkerConfig): Promise<void> {
  // Creating is not waiting: outside the budget, before the run.
  const creator = new VideoStatusClient({ serverUrl: config.serverUrl });
  const random = seededRandom(config.seed);
  const scripts = Array.from({ length: config.waits }, (_, i) => ({
    duration: 500 + 1000 * random(),
    outcome: (i % 10 === 0 ? "error" : "completed") as FinalStatus,
  }));
  const jobs = [];
  for (let i = 0; i < scripts.length; i += 250) {
    jobs.push(
      ...await Promise.all(
        scripts.slice(i, i + 250).map((script) => creator.createJob(script)),
      ),
    );
  }
  const events: RedisBudgetEvent["state"][] = [];
  // Made once the jobs are, so that its start is not slowed by theirs.
  const shared = config.redisUrl === null ? undefined : createRedisBudget({
    url: config.redisUrl,
    key: config.key,
    maxRequestsPerSecond: config.maxRequestsPerSecond,
    onFallback: ({ state }) => events.push(state),
  });
  while (shared?.state === "connecting") {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const budget = shared ??
    new MemoryBudget(config.share, systemClock, SHARED_SHAPE);
  const onBudget: number[] = [];
  const grantToFetch: number[] = [];
  const fetchToResponse: number[] = [];
  const granted = new Map<unknown, number>();
  const timed: RequestBudget = {
    async acquire(signal) {
      const started = performance.now();
      const ticket = await budget.acquire(signal);
      const now = performance.now();
      onBudget.push(now - started);
      granted.set(ticket, now);
      return ticket;
    },
    sent: (ticket) => {
      const at = granted.get(ticket);
      if (at !== undefined) grantToFetch.push(performance.now() - at);
      granted.delete(ticket);
      budget.sent(ticket);
    },
    done: (ticket) => {
      granted.delete(ticket);
      budget.done(ticket);
    },
  };
  console.log("ready");
  const input = Deno.stdin.readable.getReader();
  await input.read();
  input.releaseLock();
  const lag = new LoopLag();

  const client = new VideoStatusClient({
    serverUrl: config.serverUrl,
    budget: timed,
    timeout: 120_000,
    fetch: (input, init) => {
      // On a clock all processes share: the time origin plus the time since.
      if ((init?.method ?? "GET") !== "GET") return fetch(input, init);
      const at = epochNow();
      sends.push(at);
      // For the simulator to measure how long the request took to arrive.
      const headers = new Headers(init?.headers);
      headers.set("x-sent-at", String(at));
      const response = fetch(input, { ...init, headers });
      response.then(() => fetchToResponse.push(epochNow() - at), () => {});
      return response;
    },
  });
  const sends: number[] = [];
  const perBurst = Math.ceil(config.waits / config.bursts);
  const results: Promise<boolean>[] = [];
  for (let burst = 0; burst < config.bursts; burst++) {
    if (burst > 0) {
      await new Promise((resolve) => setTimeout(resolve, config.burstEvery));
    }
    for (
      let i = burst * perBurst;
      i < Math.min(config.waits, (burst + 1) * perBurst);
      i++
    ) {
      results.push(
        client.waitForJob(jobs[i]).then(
          (final) => final.result === scripts[i].outcome,
          () => false,
        ),
      );
    }
  }
  const correct = (await Promise.all(results)).filter(Boolean).length;
  await shared?.close();
  const report: WorkerReport = {
    correct,
    waits: config.waits,
    onBudget,
    sends,
    grantToFetch,
    fetchToResponse,
    loopLag: lag.stop(),
    events,
  };
  console.log(JSON.stringify(report));
}

if (import.meta.main) await main(JSON.parse(Deno.args[0]) as WorkerConfig);
