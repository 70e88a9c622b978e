// The worker side of `_bench_server.ts`: runs one simulator on a loopback
// port in its own thread, counts the status requests of each job and notes
// when each job's creating request arrived, and hands these books over on
// request. Messages in: {legacy, maxJobs}, "books", "close"; out: {url},
// {requests, createdAt}, "closed".

import { systemClock } from "../clock.ts";
import { createSimulator, type SimulatorClock } from "../server.ts";

interface Scope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

const scope = globalThis as unknown as Scope;

// The client's clock: epoch-based high-resolution time agrees across threads.
const clock: SimulatorClock = {
  now: systemClock.now,
  setTimeout: (callback, delay) => setTimeout(callback, delay),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

scope.onmessage = (event: MessageEvent) => {
  const { legacy, maxJobs } = event.data as {
    legacy: boolean;
    maxJobs: number;
  };
  const simulator = createSimulator({ legacy, maxJobs, clock });
  const requests = new Map<string, number>();
  const createdAt = new Map<string, number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const receivedAt = clock.now();
      const path = new URL(request.url).pathname;
      const job = /^\/jobs\/([^/]+)(?:\/events)?$/.exec(path)?.[1];
      if (job !== undefined && request.method === "GET") {
        requests.set(job, (requests.get(job) ?? 0) + 1);
      }
      const response = await simulator.fetch(request);
      const location = response.headers.get("location");
      if (request.method === "POST" && location !== null) {
        createdAt.set(location.slice("/jobs/".length), receivedAt);
      }
      return response;
    },
  );
  scope.onmessage = async (command: MessageEvent) => {
    if (command.data === "books") {
      scope.postMessage({ requests, createdAt });
    } else if (command.data === "close") {
      await simulator.close();
      await server.shutdown();
      scope.postMessage("closed");
      scope.close();
    }
  };
  scope.postMessage({ url: `http://127.0.0.1:${server.addr.port}` });
};
