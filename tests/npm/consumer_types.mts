// Type-checked, never run: scripts/test_npm.ts runs `tsc` on this file in the
// scratch project, against the installed package's declarations (Node16
// resolution, strict, skipLibCheck off), as a TypeScript consumer would: a
// Node project (lib ES2022 without the DOM, types node) using all three
// entries.
import {
  defineDialect,
  type Dialect,
  type FinalStatus,
  type FinalUpdate,
  type HeaderValues,
  isHTTPError,
  isNetworkError,
  isRequestTimeoutError,
  type StatusUpdate,
  VideoStatusClient,
} from "video-status-client";
import {
  createSimulator,
  serve,
  type SimulatorServer,
} from "video-status-client/server";
import { FakeClock, json, scriptedFetch } from "video-status-client/testing";

export async function waitForScriptedJob(): Promise<FinalUpdate> {
  const server: SimulatorServer = await serve({ port: 0, errorRate: 0 });
  try {
    const client = new VideoStatusClient({
      serverUrl: server.url,
      onUpdate: (update: StatusUpdate) => console.log(update.result),
    });
    const job = await client.createJob({ duration: 100, outcome: "completed" });
    const final = await client.waitForJob(job, { timeout: 5_000 });
    console.log(final.body);
    return final;
  } finally {
    await server.shutdown();
  }
}

export async function statusWithoutSocket(): Promise<FinalStatus | number> {
  const simulator = createSimulator({ seed: 1 });
  const client = new VideoStatusClient({
    fetch: (input, init) => simulator.fetch(new Request(input, init)),
  });
  try {
    return await client.getStatus();
  } catch (error) {
    if (isHTTPError(error)) return error.status;
    if (isRequestTimeoutError(error)) return error.timeout;
    throw error;
  } finally {
    await simulator.close();
  }
}

export async function scriptedWait(): Promise<number> {
  const headers: HeaderValues = [["x-api-key", "key"]];
  const { fetch, requests } = scriptedFetch([
    new TypeError("connection refused"),
    json({ result: "completed" }),
  ]);
  const client = new VideoStatusClient({
    headers,
    fetch,
    clock: new FakeClock(),
    onRetry: ({ error }) => console.log(isNetworkError(error)),
  });
  await client.getStatus();
  return requests.length;
}

export async function ownDialect(): Promise<number | undefined> {
  const renders: Dialect = defineDialect({
    name: "renders",
    jobPath: "/renders/{id}",
    statusField: "data.status",
    pending: ["queued", "rendering"],
    completed: ["done"],
    error: ["failed"],
    progressField: "data.percent",
    progressScale: 100,
  });
  const { fetch } = scriptedFetch([
    json({ data: { status: "rendering", percent: 40 } }),
  ]);
  const client = new VideoStatusClient({
    dialect: renders,
    apiKey: undefined,
    fetch,
    clock: new FakeClock(),
  });
  const update: StatusUpdate = await client.check("r1");
  const replicate = new VideoStatusClient({
    dialect: "replicate",
    apiKey: "k",
  });
  console.log(update.status, update.error, update.payload, replicate.strategy);
  return update.progress;
}
