// The strategies the benchmark compares, each as the client options it runs
// with, or for another library, its wait. Every delay is multiplied by the
// run's time scale, so a strategy sees the workload exactly as it would
// unscaled.

import { Backoff } from "../timing/backoff.ts";
import type { Strategy, VideoStatusClientOptions } from "../mod.ts";
import { LearnedSchedule } from "../timing/learned_schedule.ts";
import type { PollSchedule } from "../timing/schedule.ts";
import type { Random } from "./_workload.ts";
import {
  type LibraryWait,
  pRetryPoller,
  pWaitForEvery,
  smithyWaiter,
} from "./_libraries.ts";

/** Which simulator a strategy runs against. */
export type ServerMode = "legacy" | "full";

/** One benchmarked strategy. */
export interface BenchStrategy {
  /** Its id in the JSON output. */
  id: string;
  /** What it is, for the table. */
  label: string;
  /** Polling strategies run against `--legacy`, which gives no hints. */
  server: ServerMode;
  /**
   * With webhooks: the fraction of callbacks its simulator drops (0 to 1).
   * Its waits then listen to a receiver the simulator calls back, polling
   * only as the safety net. Without: no callbacks.
   */
  webhookDropRate?: number;
  /**
   * The client options of one run, with delays scaled by `timeScale`; `aim`
   * is the p95 latency (unscaled ms) a strategy aimed at the seed backoff's
   * takes as its target, the library default when absent.
   */
  options(
    timeScale: number,
    random: Random,
    aim?: number,
  ): VideoStatusClientOptions;
  /**
   * For another library: how it waits on a job, one `client.check()` per
   * request, instead of the client's `waitForJob()`.
   */
  wait?: LibraryWait;
}

// The learned schedule's target when none is set, in ms.
const DEFAULT_TARGET = new LearnedSchedule().targetLatency!;

/** The strategies, in the order of the table. */
export const STRATEGIES: readonly BenchStrategy[] = [
  library(
    "p-wait-for-1s",
    "`p-wait-for`, a fixed 1 s interval",
    pWaitForEvery(1000),
  ),
  polling(
    "seed-backoff",
    "Seed's backoff (1 s, ×2, cap 5 s)",
    (scale) => seedBackoff(scale),
  ),
  library(
    "smithy-waiter",
    "`@smithy/util-waiter` `createWaiter` (2 s → 120 s, jittered)",
    smithyWaiter,
  ),
  library(
    "p-retry",
    "`p-retry` as a poller (1 s, ×2, no cap)",
    pRetryPoller,
  ),
  polling(
    "backoff",
    "Our default backoff (1 s, ×2, cap 5 s, 10 % jitter)",
    (scale, random) =>
      new Backoff({
        initialDelay: 1000 * scale,
        maxDelay: 5000 * scale,
        random,
      }),
  ),
  polling(
    "learned",
    `Our LearnedSchedule, defaults (targetLatency ${DEFAULT_TARGET / 1000} s)`,
    (scale, random) => learnedAt(DEFAULT_TARGET, scale, random),
  ),
  polling(
    "learned-target",
    "Our LearnedSchedule, targetLatency = the seed backoff's p95",
    (scale, random, aim) => learnedAt(aim ?? DEFAULT_TARGET, scale, random),
  ),
  pushing("long-poll", "Long-poll (Prefer: wait)", "long-poll"),
  pushing("sse", "Server-sent events", "sse"),
  webhook("webhook", "Webhooks, polling every 60 s as the safety net", 0),
  webhook(
    "webhook-20%-dropped",
    "The same, 20 % of the webhooks dropped",
    0.2,
  ),
];

/** The seed's backoff: 1 s, doubling, capped at 5 s, no jitter; times scaled. */
export function seedBackoff(scale = 1): Backoff {
  return new Backoff({
    initialDelay: 1000 * scale,
    maxDelay: 5000 * scale,
    jitter: 0,
  });
}

/**
 * The learned schedule aimed at a p95 latency of `targetLatency` unscaled
 * ms, with its default fallback (a backoff from 1 s, or the target if
 * shorter, capped at the target) made explicit so that it is scaled too and
 * jitters from `random`.
 */
export function learnedAt(
  targetLatency: number,
  scale = 1,
  random?: Random,
): LearnedSchedule {
  return new LearnedSchedule({
    targetLatency: targetLatency * scale,
    fallback: new Backoff({
      initialDelay: Math.min(1000, targetLatency) * scale,
      maxDelay: targetLatency * scale,
      random,
    }),
  });
}

function polling(
  id: string,
  label: string,
  schedule: (scale: number, random: Random, aim?: number) => PollSchedule,
): BenchStrategy {
  return {
    id,
    label,
    server: "legacy",
    options: (scale, random, aim) => ({
      strategy: "poll",
      schedule: schedule(scale, random, aim),
      minDelay: 100 * scale,
    }),
  };
}

// Another library polling the legacy server through `client.check()`; the
// client's options only set how it speaks to the server.
function library(id: string, label: string, wait: LibraryWait): BenchStrategy {
  return { id, label, server: "legacy", options: () => ({}), wait };
}

function pushing(id: string, label: string, strategy: Strategy): BenchStrategy {
  return {
    id,
    label,
    server: "full",
    options: (scale) => ({
      strategy,
      longPollWait: 1000 * longPollSeconds(scale),
      minDelay: 100 * scale,
    }),
  };
}

// The receiver itself is started by the run, which knows its address.
function webhook(id: string, label: string, dropRate: number): BenchStrategy {
  return {
    id,
    label,
    server: "full",
    webhookDropRate: dropRate,
    options: (scale) => ({
      strategy: "poll",
      webhookSafetyDelay: webhookSafetyDelay(scale),
      minDelay: 100 * scale,
    }),
  };
}

/** The delay between two safety-net polls of a webhook wait: the client's 60 s, scaled. */
export function webhookSafetyDelay(timeScale: number): number {
  return 60_000 * timeScale;
}

/**
 * How long push strategies ask the server to hold a request, in seconds: the
 * client's 30 s scaled, in whole seconds on the wire and at least one.
 */
export function longPollSeconds(timeScale: number): number {
  return Math.max(1, Math.floor(30 * timeScale));
}
