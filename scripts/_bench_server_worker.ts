// The worker side of `_bench_server.ts`: runs one simulator on a loopback
// port in its own thread, counts the status requests of each job and notes
// when each job's creating request arrived, and hands these books over on
// request. Messages in: the server's options, "books", "close"; out: {url},
// {requests, createdAt}, "closed".

import { createSimulator } from "../server.ts";
import { PRESETS } from "../protocol/dialects/mod.ts";
import type { BenchServerOptions } from "./_bench_server.ts";
import { preciseClock } from "../simulator/adapters/precise_clock.ts";

interface Scope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

const scope = globalThis as unknown as Scope;

// The precise clock reads the same epoch-based high-resolution time as the
// client's, which agrees across threads, and wakes held requests on time.
const clock = preciseClock;

scope.onmessage = (event: MessageEvent) => {
  const { dialect: name = "video-status", ...options } = event
    .data as BenchServerOptions;
  const dialect = PRESETS[name];
  const simulator = createSimulator({ ...options, clock, dialect });
  // A job's id in a status request: at the dialect's path, or its events.
  const jobOf = (url: URL): string | undefined => {
    const id = dialect.jobId(url);
    if (id !== undefined || !url.pathname.endsWith("/events")) return id;
    url.pathname = url.pathname.slice(0, -"/events".length);
    return dialect.jobId(url);
  };
  const requests = new Map<string, number>();
  const createdAt = new Map<string, number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const job = request.method === "GET"
        ? jobOf(new URL(request.url))
        : undefined;
      if (job !== undefined) {
        requests.set(job, (requests.get(job) ?? 0) + 1);
      }
      const response = await simulator.fetch(request);
      // The job's clock started a few microseconds ago, while its answer was
      // built; the request itself arrived earlier, before its body was read.
      const createdNear = clock.now();
      const location = response.headers.get("location");
      if (request.method === "POST" && location !== null) {
        createdAt.set(
          dialect.jobId(new URL(location, request.url))!,
          createdNear,
        );
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
