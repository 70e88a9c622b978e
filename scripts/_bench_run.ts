// One strategy through one workload, for real: jobs are created on the
// simulator as they arrive, each is waited on by the strategy's client, and
// the moment the client learns each result is noted, with, for a result a
// webhook brought, when its callback reached the receiver and when the
// receiver handed it to the wait.

import type { ReceiverHmac } from "./_bench_args.ts";
import { nodeHmac } from "../simulator/adapters/hmac.ts";
import {
  createWebhookReceiver,
  type Job as ClientJob,
  type StatusUpdate,
  type UpdateSource,
  VideoStatusClient,
  type WebhookReceiver,
  type WebhookSource,
} from "../mod.ts";
import {
  type Dialect,
  type DialectName,
  PRESETS,
} from "../protocol/dialects/mod.ts";
import { delay, systemClock } from "../timing/clock.ts";
import type { BenchBooks } from "./_bench_server.ts";
import {
  CLOCK_PROBE,
  type ClockReading,
  measureClockOffset,
} from "./_clock_sync.ts";
import type { LibraryWait } from "./_libraries.ts";
import { simulatePolling } from "./_simulate.ts";
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
  /** How the final result reached the client. */
  source: UpdateSource;
  /** For a result a webhook brought: its callback's way through the receiver. */
  webhook?: WebhookArrival;
}

/** When a job's callback reached the receiver, and when the wait heard it. */
export interface WebhookArrival {
  /** Its `webhook-id`. */
  id: string;
  /** When the receiver's handler was called with it (the request's head read). */
  arrivedAt: number;
  /** When the receiver handed it to the wait: body read, signature checked. */
  heardAt: number;
}

/** How a run is set up. */
export interface RunSettings {
  /** Factor applied to every duration, arrival time and delay. */
  timeScale: number;
  /** Base URL of the simulator the strategy runs against. */
  serverUrl: string;
  /** When the workload starts (the first arrival), on the client's clock. */
  start: number;
  /** Random source of the strategy's jitter. */
  random: Random;
  /** The API the simulator speaks. @default {"video-status"} */
  dialect?: DialectName;
  /**
   * The key the simulator signs its callbacks with, for a strategy with
   * webhooks. @default {undefined}
   */
  webhookSecret?: string;
  /**
   * How the webhook receiver computes its HMAC: WebCrypto's, or
   * `node:crypto`'s through its `hmac` option. @default {"webcrypto"}
   */
  receiverHmac?: ReceiverHmac;
  /**
   * The p95 latency (unscaled ms) that a strategy aimed at the seed
   * backoff's takes as its target. @default {undefined}
   */
  aim?: number;
  /**
   * Jobs (unscaled) that a learning schedule is taught first, polled in
   * virtual time before the run, for a warm start. @default {[]}
   */
  warmUp?: readonly Job[];
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
  const { timeScale, serverUrl, start, random } = settings;
  const dialect = PRESETS[settings.dialect ?? "video-status"];
  await using hooks = strategy.webhookDropRate === undefined
    ? undefined
    : serveReceiver(settings.webhookSecret, settings.receiverHmac);
  const options = strategy.options(timeScale, random, settings.aim);
  if (options.schedule?.observe !== undefined && settings.warmUp?.length) {
    simulatePolling(
      options.schedule,
      settings.warmUp.map((job) => ({
        arrival: job.arrival * timeScale,
        duration: scaledDuration(job, timeScale),
      })),
    );
  }
  const client = new VideoStatusClient({
    ...options,
    serverUrl,
    dialect,
    timeout: 3_600_000,
    webhooks: hooks?.source,
  });
  return await Promise.all(jobs.map(async (job) => {
    await delay(start + job.arrival * timeScale - systemClock.now());
    const duration = scaledDuration(job, timeScale);
    const created = dialect.createPath === undefined
      ? await postJob(serverUrl, dialect, duration)
      : await client.createJob({
        duration,
        outcome: "completed",
        callbackUrl: hooks?.url,
      });
    const final = strategy.wait === undefined
      ? await client.waitForJob(created)
      : await libraryWait(strategy.wait, client, created, timeScale);
    const learnedAt = systemClock.now();
    if (final.result !== "completed") {
      throw new Error(`Job ${created.id} ended ${final.result}`);
    }
    const detection: Detection = {
      id: created.id,
      duration,
      learnedAt,
      source: final.source,
    };
    const webhook = hooks?.arrivals.get(created.id);
    if (final.source === "webhook" && webhook !== undefined) {
      detection.webhook = webhook;
    }
    return detection;
  }));
}

// Another library's wait, its requests made by `client.check()` so that it
// speaks the run's dialect; resolves with the last update.
async function libraryWait(
  wait: LibraryWait,
  client: VideoStatusClient,
  job: ClientJob,
  timeScale: number,
): Promise<StatusUpdate> {
  let last: StatusUpdate | undefined;
  await wait(async () => {
    last = await client.check(job);
    return last.result !== "pending";
  }, timeScale);
  return last!;
}

/** A webhook receiver served on a loopback port of this thread. */
interface ServedReceiver extends AsyncDisposable {
  receiver: WebhookReceiver;
  /** The receiver as the waits listen to it, noting when each heard its event. */
  source: WebhookSource;
  /** Where the simulator calls back. */
  url: string;
  /** By job id: its verified event's way through the receiver. */
  arrivals: Map<string, WebhookArrival>;
}

function serveReceiver(
  secret: string | undefined,
  hmac: ReceiverHmac = "webcrypto",
): ServedReceiver {
  if (secret === undefined) {
    throw new TypeError(
      "Cannot run a strategy with webhooks as 'webhookSecret' must be a string: current value is undefined",
    );
  }
  const receiver = createWebhookReceiver({
    secret,
    hmac: hmac === "node" ? nodeHmac : undefined,
  });
  // Two clock readings and a map entry per callback: nothing else is added
  // to the path that is measured.
  const arrivedAt = new Map<string, number>();
  const arrivals = new Map<string, WebhookArrival>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const id = request.headers.get("webhook-id");
      if (id !== null && !arrivedAt.has(id)) {
        arrivedAt.set(id, systemClock.now());
      }
      return receiver.fetch(request);
    },
  );
  const source: WebhookSource = {
    listen: (jobId, listener) =>
      receiver.listen(jobId, (event) => {
        const heardAt = systemClock.now();
        if (event.verified && !arrivals.has(jobId)) {
          const arrived = arrivedAt.get(event.id) ?? heardAt;
          arrivals.set(jobId, { id: event.id, arrivedAt: arrived, heardAt });
        }
        listener(event);
      }),
  };
  return {
    receiver,
    source,
    url: `http://127.0.0.1:${server.addr.port}/hooks`,
    arrivals,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/**
 * Creates a job with the simulator's own `POST /jobs`, for a dialect whose
 * API creates jobs elsewhere (it has no create path): the job as
 * `createJob()` would give it, so the wait still learns how long it took.
 */
async function postJob(
  serverUrl: string,
  dialect: Dialect,
  duration: number,
): Promise<ClientJob> {
  const createdAt = systemClock.now();
  const response = await fetch(new URL("/jobs", serverUrl), {
    method: "POST",
    body: JSON.stringify({ duration: duration / 1000, outcome: "completed" }),
  });
  await response.body?.cancel();
  const location = response.headers.get("location");
  const url = new URL(location ?? "", serverUrl);
  const id = dialect.jobId(url);
  if (!response.ok || id === undefined) {
    throw new Error(`Cannot create a job: ${response.status} at ${location}`);
  }
  return { id, url: url.href, result: "pending", createdAt };
}

/**
 * Loads a strategy, by id, in a worker thread of its own, with jitter drawn
 * from a seeded random source.
 *
 * @returns Once the worker is ready, a function that runs the workload from
 * `settings.start` and resolves with one detection per job; times, `start`
 * included, are on this thread's clock (the worker's offset corrected).
 */
export async function startInWorker(
  strategy: string,
  jobs: readonly Job[],
  seed: number,
): Promise<(settings: Omit<RunSettings, "random">) => Promise<Detection[]>> {
  const worker = new Worker(
    new URL("./_bench_client_worker.ts", import.meta.url).href,
    { type: "module" },
  );
  let settle: { resolve(value: unknown): void; reject(error: Error): void };
  const next = (): Promise<unknown> =>
    new Promise((resolve, reject) => {
      settle = { resolve, reject };
    });
  worker.onmessage = (event) => settle.resolve(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    settle.reject(new Error(`Strategy ${strategy} failed: ${event.message}`));
  };
  let offset: number;
  try {
    await next();
    ({ offset } = await measureClockOffset(`${strategy}'s client`, () => {
      const answer = next();
      worker.postMessage(CLOCK_PROBE);
      return answer as Promise<ClockReading>;
    }));
  } catch (error) {
    worker.terminate();
    throw error;
  }
  // The run's times, from the worker's clock to this thread's.
  const local = (at: number): number => at - offset;
  return async (settings) => {
    const done = next();
    worker.postMessage({
      strategy,
      jobs,
      settings: { ...settings, start: settings.start + offset },
      seed,
    });
    try {
      return (await done as Detection[]).map((detection) => ({
        ...detection,
        learnedAt: local(detection.learnedAt),
        ...detection.webhook && {
          webhook: {
            id: detection.webhook.id,
            arrivedAt: local(detection.webhook.arrivedAt),
            heardAt: local(detection.webhook.heardAt),
          },
        },
      }));
    } finally {
      worker.terminate();
    }
  };
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

/**
 * When the `position`-th (from 0) of `count` strategies run together starts
 * the workload: `1/count` of the mean gap between arrivals after the one
 * before. On one timeline every strategy's job would end at the same
 * instant, and each latency would include the others' work there: the
 * simulator answering them one after the other, the clients' threads all
 * waking on the machine's two cores.
 */
export function staggeredStart(
  start: number,
  position: number,
  count: number,
  meanGap: number,
): number {
  return start + (position * meanGap) / count;
}

/** A job's duration in whole milliseconds at a time scale, as scripted. */
export function scaledDuration(job: Job, timeScale: number): number {
  return Math.max(1, Math.round(job.duration * timeScale));
}
