// One strategy through one workload, for real: jobs are created on the
// simulator as they arrive, each is waited on by the strategy's client, and
// the moment the client learns each result is noted.

import { VideoStatusClient } from "../client.ts";
import { delay, systemClock } from "../clock.ts";
import type { BenchBooks } from "./_bench_server.ts";
import type { BenchStrategy } from "./_strategies.ts";
import type { Job, Random } from "./_workload.ts";

/** One waited job. */
export interface Detection {
  /** The job's id on the simulator. */
  id: string;
  /** Its scripted duration in milliseconds. */
  duration: number;
  /** When the client knew the final result, on the client's clock. */
  learnedAt: number;
}

/** How a run is set up. */
export interface RunSettings {
  /** Factor applied to every duration, arrival time and delay. */
  timeScale: number;
  /** Base URL of the simulator the strategy runs against. */
  serverUrl: string;
  /** Random source of the strategy's jitter. */
  random: Random;
}

/**
 * Runs a strategy over the workload.
 *
 * @returns One detection per job, in the workload's order.
 * @throws {Error} When a job does not end `completed`.
 */
export async function runStrategy(
  strategy: BenchStrategy,
  jobs: readonly Job[],
  settings: RunSettings,
): Promise<Detection[]> {
  const { timeScale, serverUrl, random } = settings;
  const client = new VideoStatusClient({
    ...strategy.options(timeScale, random),
    serverUrl,
    timeout: 3_600_000,
  });
  const start = systemClock.now();
  return await Promise.all(jobs.map(async (job) => {
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
    return { id: created.id, duration, learnedAt };
  }));
}

/**
 * Requests and detection latency per job, from the detections and the
 * simulator's books.
 */
export function measure(
  detections: readonly Detection[],
  books: BenchBooks,
): { requests: number[]; latencies: number[] } {
  return {
    requests: detections.map(({ id }) => books.requests.get(id) ?? 0),
    latencies: detections.map(({ id, duration, learnedAt }) =>
      learnedAt - (books.createdAt.get(id)! + duration)
    ),
  };
}

/** A job's duration in whole milliseconds at a time scale, as scripted. */
export function scaledDuration(job: Job, timeScale: number): number {
  return Math.max(1, Math.round(job.duration * timeScale));
}
