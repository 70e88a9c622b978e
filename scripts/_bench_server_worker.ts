// The worker side of `_bench_server.ts`: runs one simulator on a loopback
// port in its own thread, counts the status requests of each job, notes when
// the simulator created each job (as `onJobCreated` tells) and when each
// callback was handed to `fetch`, and hands these books over on request.
// Messages in: the server's options, clock probes, "books", "close"; out:
// {url}, clock readings, {requests, createdAt, callbackSentAt}, "closed".

import { createSimulator } from "../server.ts";
import { PRESETS } from "../protocol/dialects/mod.ts";
import type { BenchBooks, BenchServerOptions } from "./_bench_server.ts";
import { answerClockProbe } from "./_clock_sync.ts";
import { preciseClock } from "../simulator/adapters/precise_clock.ts";
import { nodeHmac } from "../simulator/adapters/hmac.ts";

interface Scope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

const scope = globalThis as unknown as Scope;

// The precise clock reads the same epoch-based high-resolution time as the
// client's (the main thread corrects the two threads' offset) and wakes held
// requests on time.
const clock = preciseClock;

scope.onmessage = (event: MessageEvent) => {
  const { dialect: name = "video-status", ...options } = event
    .data as BenchServerOptions;
  const dialect = PRESETS[name];
  const books: BenchBooks = {
    requests: new Map(),
    createdAt: new Map(),
    callbackSentAt: new Map(),
  };
  // As serve() does: wake-ups on time, callbacks signed on this thread.
  const simulator = createSimulator({
    ...options,
    clock,
    dialect,
    webhookHmac: nodeHmac,
    // The job's own start, so that its end is placed exactly.
    onJobCreated: ({ id, createdAt }) => books.createdAt.set(id, createdAt),
    fetch: (input, init) => {
      const id = new Headers(init?.headers).get("webhook-id");
      if (id !== null && !books.callbackSentAt.has(id)) {
        books.callbackSentAt.set(id, clock.now());
      }
      return fetch(input, init);
    },
  });
  // A job's id in a status request: at the dialect's path, or its events.
  const jobOf = (url: URL): string | undefined => {
    const id = dialect.jobId(url);
    if (id !== undefined || !url.pathname.endsWith("/events")) return id;
    url.pathname = url.pathname.slice(0, -"/events".length);
    return dialect.jobId(url);
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const job = request.method === "GET"
        ? jobOf(new URL(request.url))
        : undefined;
      if (job !== undefined) {
        books.requests.set(job, (books.requests.get(job) ?? 0) + 1);
      }
      return await simulator.fetch(request);
    },
  );
  scope.onmessage = async (command: MessageEvent) => {
    if (answerClockProbe(command.data, (m) => scope.postMessage(m))) return;
    if (command.data === "books") {
      scope.postMessage(books);
    } else if (command.data === "close") {
      await simulator.close();
      await server.shutdown();
      scope.postMessage("closed");
      scope.close();
    }
  };
  scope.postMessage({ url: `http://127.0.0.1:${server.addr.port}` });
};
