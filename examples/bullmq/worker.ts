// A worker process of the wait queue (see README.md beside this file):
//
//   REDIS_URL=redis://127.0.0.1:6379 SERVER_URL=http://127.0.0.1:5000 \
//     deno run --allow-net --allow-env --allow-sys examples/bullmq/worker.ts
//
// CLIENT_OPTIONS may hold more of the client's options, as JSON. It prints
// "ready" once it takes jobs, and stops cleanly on SIGTERM or SIGINT.

import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { VideoStatusClient } from "@video-status/client";
import { QUEUE_NAME, stepProcessor } from "./wait_queue.ts";

const redis = new Redis(Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379", {
  // BullMQ's workers block on Redis and must not give up a command.
  maxRetriesPerRequest: null,
});
const client = new VideoStatusClient({
  ...JSON.parse(Deno.env.get("CLIENT_OPTIONS") ?? "{}"),
  serverUrl: Deno.env.get("SERVER_URL") ?? "http://127.0.0.1:5000",
});
const worker = new Worker(QUEUE_NAME, stepProcessor(client), {
  connection: redis,
  // A step is one short request: many waits share a worker.
  concurrency: 100,
  // A worker that dies mid-step holds its job's lock until it expires; then
  // another worker takes the job up again from the state saved last.
  lockDuration: Number(Deno.env.get("LOCK_DURATION") ?? 30_000),
  stalledInterval: Number(Deno.env.get("STALLED_INTERVAL") ?? 30_000),
  maxStalledCount: 5,
});
worker.on("error", (error) => console.error(error));
await worker.waitUntilReady();
console.log("ready");

const stop = async () => {
  await worker.close();
  redis.disconnect();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
