// One strategy through one workload, for real: jobs are created on the
// simulator as they arrive, each is waited on by the strategy's client, and
// every detection is timed against the moment its job turned terminal.

import { VideoStatusClient } from "../client.ts";
import { delay, systemClock } from "../clock.ts";
import type { BenchServer } from "./_bench_server.ts";
import type { BenchStrategy } from "./_strategies.ts";
import type { Job, Random } from "./_workload.ts";

/** What one strategy cost on one workload. */
export interface StrategyRun {
  /** Status requests per job, in the workload's order. */
  requests: number[];
  /** Detection latency per job in real milliseconds, in the workload's order. */
  latencies: number[];
}

/** How a run is set up. */
export interface RunSettings {
  /** Factor applied to every duration, arrival time and delay. */
  timeScale: number;
  /** The simulator the strategy runs against. */
  server: BenchServer;
  /** Random source of the strategy's jitter. */
  random: Random;
}

/**
 * Runs a strategy over the workload and measures each job.
 *
 * @throws {Error} When a job does not end `completed`.
 */
export async function runStrategy(
  strategy: BenchStrategy,
  jobs: readonly Job[],
  settings: RunSettings,
): Promise<StrategyRun> {
  const { timeScale, server, random } = settings;
  const options = strategy.options(timeScale, random);
  const client = new VideoStatusClient({
    ...options,
    serverUrl: server.url,
    timeout: 3_600_000,
  });
  const start = systemClock.now();
  const waits = jobs.map(async (job) => {
    await delay(start + job.arrival * timeScale - systemClock.now());
    const duration = scaledDuration(job, timeScale);
    const created = await client.createJob({
      delay: duration,
      outcome: "completed",
    });
    const final = await client.waitForJob(created);
    const learnedAt = systemClock.now();
    if (final.result !== "completed") {
      throw new Error(`Job ${created.id} ended ${final.result}`);
    }
    const finishedAt = server.createdAt.get(created.id)! + duration;
    return {
      requests: server.requests.get(created.id) ?? 0,
      latency: learnedAt - finishedAt,
    };
  });
  const results = await Promise.all(waits);
  return {
    requests: results.map((result) => result.requests),
    latencies: results.map((result) => result.latency),
  };
}

/** A job's duration in whole milliseconds at a time scale, as scripted. */
export function scaledDuration(job: Job, timeScale: number): number {
  return Math.max(1, Math.round(job.duration * timeScale));
}
