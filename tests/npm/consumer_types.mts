// Type-checked, never run: scripts/test_npm.ts runs `tsc` on this file in the
// scratch project, against the installed package's declarations (Node16
// resolution, strict, skipLibCheck off), as a TypeScript consumer would.
import {
  type FinalStatus,
  type FinalUpdate,
  isHTTPError,
  isRequestTimeoutError,
  type StatusUpdate,
  VideoStatusClient,
} from "video-status-client";
import {
  createSimulator,
  serve,
  type SimulatorServer,
} from "video-status-client/server";

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
