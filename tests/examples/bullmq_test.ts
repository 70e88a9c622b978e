// The BullMQ example on a real Redis and the real simulator over HTTP: the
// waits run as queue jobs in a worker process that is killed (SIGKILL)
// mid-wait and replaced. Every wait must still end as an in-process
// waitForJob() ends on the same scripted jobs, by its deadline, with no more
// than 1.2 times its requests.

import assert from "node:assert/strict";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import {
  type FinalUpdate,
  type Job,
  VideoStatusClient,
  type VideoStatusClientOptions,
} from "../../mod.ts";
import { createSimulator } from "../../server.ts";
import {
  addWait,
  QUEUE_NAME,
  type WaitJobData,
} from "../../examples/bullmq/wait_queue.ts";
import { RedisServer, redisTest } from "../redis/_server.ts";

const WORKER = new URL("../../examples/bullmq/worker.ts", import.meta.url);

/** The jobs: how long each takes, how it ends, and the wait's time limit. */
const SCRIPTS = [
  { duration: 1500, outcome: "completed", timeout: 20_000 },
  { duration: 2000, outcome: "error", timeout: 20_000 },
  { duration: 2500, outcome: "completed", timeout: 20_000 },
  { duration: 3000, outcome: "completed", timeout: 20_000 },
  { duration: 3500, outcome: "error", timeout: 20_000 },
  { duration: 4000, outcome: "completed", timeout: 20_000 },
  { duration: 4500, outcome: "completed", timeout: 20_000 },
  // Longer than its wait: both ways end with the TimeoutError.
  { duration: 60_000, outcome: "completed", timeout: 5_000 },
] as const;

const OPTIONS: VideoStatusClientOptions = {
  strategy: "poll",
  initialDelay: 250,
  maxDelay: 1000,
};

/** A worker process of the example. */
class WorkerProcess {
  readonly #child: Deno.ChildProcess;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
  }

  /** Starts a worker and waits until it takes jobs. */
  static async start(env: Record<string, string>): Promise<WorkerProcess> {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-sys",
        "--allow-read",
        WORKER.pathname,
      ],
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const worker = new WorkerProcess(child);
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let printed = "";
    while (!printed.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the worker ended before it was ready`);
      printed += value;
    }
    // The worker prints nothing more; the pipe is closed when it ends.
    await reader.cancel();
    return worker;
  }

  /** Kills the worker at once, as a crash or an OOM kill would. */
  async kill(): Promise<void> {
    this.#child.kill("SIGKILL");
    await this.#child.status;
  }

  /** Stops the worker the clean way. */
  async stop(): Promise<void> {
    this.#child.kill("SIGTERM");
    const status = await this.#child.status;
    assert.equal(status.code, 0);
  }
}

/** How a wait ended: the final result, or the error's name. */
function endOf(final: FinalUpdate | undefined, error?: string): string {
  if (error !== undefined) {
    return error.startsWith("Wait timed out") ? "TimeoutError" : error;
  }
  return final!.result;
}

redisTest(
  "BullMQ example: waits survive a worker killed mid-wait, end as waitForJob() ends, by their deadline, with at most 1.2x its requests",
  async () => {
    await using redisServer = await RedisServer.start();
    await using simulator = createSimulator({
      minLatency: 50,
      maxLatency: 150,
    });
    // Status requests per job path, counted where they arrive.
    const requests = new Map<string, number>();
    // The kill must cut a step short, whatever the machine's pace: while
    // armed, the front holds every status request but a job's first (so
    // that every wait starts and none ends), and the worker is killed while
    // one is held.
    const hold = {
      armed: false,
      paths: new Set<string>(),
      first: Promise.withResolvers<void>(),
      release: Promise.withResolvers<void>(),
    };
    const http = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen: () => {} },
      async (request) => {
        if (request.method === "GET") {
          const path = new URL(request.url).pathname;
          const count = (requests.get(path) ?? 0) + 1;
          requests.set(path, count);
          if (hold.armed && count > 1) {
            hold.paths.add(path);
            hold.first.resolve();
            await hold.release.promise;
          }
        }
        return simulator.fetch(request);
      },
    );
    const serverUrl = `http://127.0.0.1:${http.addr.port}`;
    const client = new VideoStatusClient({ ...OPTIONS, serverUrl });
    const create = () =>
      Promise.all(
        SCRIPTS.map(({ duration, outcome }) =>
          client.createJob({ duration, outcome })
        ),
      );
    const requestsOf = (jobs: Job[]) =>
      jobs.reduce(
        (sum, job) => sum + (requests.get(new URL(job.url).pathname) ?? 0),
        0,
      );
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    const queue = new Queue<WaitJobData, FinalUpdate>(QUEUE_NAME, {
      connection: redis,
    });
    const workers: WorkerProcess[] = [];
    try {
      // In-process, uninterrupted.
      const inProcessJobs = await create();
      const inProcess = await Promise.allSettled(
        inProcessJobs.map((job, i) =>
          client.waitForJob(job, { timeout: SCRIPTS[i].timeout })
        ),
      );
      const expected = inProcess.map((settled) =>
        settled.status === "fulfilled"
          ? endOf(settled.value)
          : endOf(undefined, (settled.reason as Error).message)
      );
      assert.deepEqual(expected, [
        "completed",
        "error",
        "completed",
        "completed",
        "error",
        "completed",
        "completed",
        "TimeoutError",
      ]);

      // Through the queue, on the same scripts, with a worker killed mid-wait.
      const env = {
        REDIS_URL: redisServer.url,
        SERVER_URL: serverUrl,
        CLIENT_OPTIONS: JSON.stringify(OPTIONS),
        LOCK_DURATION: "1000",
        STALLED_INTERVAL: "500",
      };
      workers.push(await WorkerProcess.start(env));
      hold.armed = true;
      const queueJobs = await create();
      const added = await Promise.all(
        queueJobs.map((job, i) => addWait(queue, job, SCRIPTS[i].timeout)),
      );
      const current = () =>
        Promise.all(added.map(async (job) => (await queue.getJob(job.id!))!));
      // Every wait has started (its state saved) …
      let before = await current();
      const started = Date.now() + 20_000;
      while (before.some((job) => job.data.state === null)) {
        assert.ok(Date.now() < started, "the waits did not all start");
        await new Promise((resolve) => setTimeout(resolve, 50));
        before = await current();
      }
      // … and a later step is in flight, held: kill the worker now.
      await hold.first.promise;
      before = await current();
      assert.ok(before.every((job) => job.data.state !== null));
      assert.ok(before.every((job) => job.finishedOn === undefined));
      await workers.pop()!.kill();
      hold.armed = false;
      hold.release.resolve();
      const cut = [...hold.paths];
      workers.push(await WorkerProcess.start(env));

      let finished: Awaited<ReturnType<typeof queue.getJob>>[] = [];
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        finished = await Promise.all(added.map((job) => queue.getJob(job.id!)));
        if (finished.every((job) => job?.finishedOn !== undefined)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The queue jobs of the steps the kill cut short were taken up again.
      assert.ok(cut.length > 0);
      for (const [i, job] of queueJobs.entries()) {
        if (!cut.includes(new URL(job.url).pathname)) continue;
        assert.ok(finished[i]!.stalledCounter > 0, `${job.id} not taken up`);
      }
      const actual = finished.map((job) =>
        endOf(job!.returnvalue, job!.failedReason)
      );
      assert.deepEqual(actual, expected);
      for (const job of finished) {
        // The deadline every state carried; a wait done at its first step saved none.
        const { state, timeout } = job!.data;
        const end = job!.finishedOn!;
        if (job!.failedReason === undefined) {
          if (state !== null) {
            assert.ok(
              end <= state.deadline,
              `${job!.name} ended after its deadline`,
            );
          }
        } else {
          assert.ok(
            state !== null && end >= state.deadline,
            `${job!.name} timed out early`,
          );
          assert.ok(
            end <= state.deadline + 2000,
            `${job!.name} timed out ${end - state.deadline} ms late`,
          );
          assert.equal(state.timeout, timeout);
        }
      }
      const sent = requestsOf(queueJobs);
      const baseline = requestsOf(inProcessJobs);
      assert.ok(
        sent <= 1.2 * baseline,
        `the queue sent ${sent} status requests, in-process ${baseline}`,
      );
    } finally {
      hold.release.resolve();
      for (const worker of workers) await worker.stop();
      await queue.close();
      redis.disconnect();
      await http.shutdown();
    }
  },
);
