// The simulator as the benchmark runs it: on a loopback port, in a worker
// thread of its own (so that serving does not delay the clients' event loop),
// keeping books of the status requests of each job, of when each job was
// created and of when each callback left, so that detection latency is
// measured against the moment the job really turned terminal. Its times are
// handed over on the main thread's clock (see `_clock_sync.ts`).

import type { DialectName } from "../protocol/dialects/mod.ts";
import {
  CLOCK_PROBE,
  type ClockOffset,
  type ClockReading,
  measureClockOffset,
} from "./_clock_sync.ts";

/** What the simulator saw, by job id. */
export interface BenchBooks {
  /** Status requests (polls, long-polls, event streams) per job. */
  requests: Map<string, number>;
  /**
   * When the simulator created each job, as its `onJobCreated` tells: the job
   * turns final its scripted duration later.
   */
  createdAt: Map<string, number>;
  /** When each callback was first handed to `fetch`, by its `webhook-id`. */
  callbackSentAt: Map<string, number>;
}

/** A simulator on a loopback port that keeps the benchmark's books. */
export interface BenchServer extends AsyncDisposable {
  /** Its base URL. */
  readonly url: string;
  /** A copy of the books so far, on this thread's clock. */
  books(): Promise<BenchBooks>;
  /** How far the server thread's clock is ahead of this one's (corrected in the books). */
  readonly clockOffset: ClockOffset;
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
  const clockOffset = await measureClockOffset("a simulator", () => {
    const answer = reply();
    worker.postMessage(CLOCK_PROBE);
    return answer as Promise<ClockReading>;
  });
  const shift = (times: Map<string, number>): Map<string, number> =>
    new Map([...times].map(([id, at]) => [id, at - clockOffset.offset]));
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
    books: async () => {
      const answer = reply();
      worker.postMessage("books");
      const books = await answer as BenchBooks;
      return {
        requests: books.requests,
        createdAt: shift(books.createdAt),
        callbackSentAt: shift(books.callbackSentAt),
      };
    },
    clockOffset,
    close,
    [Symbol.asyncDispose]: close,
  };
}
