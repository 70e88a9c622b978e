// The simulator as the benchmark runs it: on a loopback port, in a worker
// thread of its own (so that serving does not delay the clients' event loop),
// on the same epoch-based clock as the clients, keeping books of the status
// requests of each job and of when each job was created, so that detection
// latency is measured against the moment the job really turned terminal.

import type { DialectName } from "../protocol/dialects/mod.ts";

/** What the simulator saw, by job id. */
export interface BenchBooks {
  /** Status requests (polls, long-polls, event streams) per job. */
  requests: Map<string, number>;
  /**
   * When a job's creating request reached the simulator; the job turns
   * final its scripted duration later (a little after this bound, so that
   * latency is never under-reported).
   */
  createdAt: Map<string, number>;
}

/** A simulator on a loopback port that keeps the benchmark's books. */
export interface BenchServer extends AsyncDisposable {
  /** Its base URL. */
  readonly url: string;
  /** A copy of the books so far. */
  books(): Promise<BenchBooks>;
  /** Stops the server; held requests are answered first. */
  close(): Promise<void>;
}

/** How {@linkcode startBenchServer} sets its simulator up. */
export interface BenchServerOptions {
  /** Whether it behaves like the seed's server. */
  legacy: boolean;
  /** How many jobs it keeps. */
  maxJobs: number;
  /** The API it speaks (its job paths and words). @default {"video-status"} */
  dialect?: DialectName;
  /** The key its callbacks are signed with. @default {undefined} */
  webhookSecret?: string;
  /** The fraction of callbacks it drops. @default {0} */
  webhookDropRate?: number;
  /** The seed of its random source (which callbacks it drops). @default {undefined} */
  seed?: number;
}

/** Starts a simulator on 127.0.0.1 and a free port, in a worker. */
export async function startBenchServer(
  options: BenchServerOptions,
): Promise<BenchServer> {
  const worker = new Worker(
    new URL("./_bench_server_worker.ts", import.meta.url).href,
    { type: "module" },
  );
  const reply = (): Promise<unknown> =>
    new Promise((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`Benchmark server failed: ${event.message}`));
      };
    });
  const listening = reply();
  worker.postMessage(options);
  const { url } = await listening as { url: string };
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      const done = reply();
      worker.postMessage("close");
      await done;
      worker.terminate();
    })();
    return closed;
  };
  return {
    url,
    books: () => {
      const books = reply();
      worker.postMessage("books");
      return books as Promise<BenchBooks>;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
