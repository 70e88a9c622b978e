// The simulator as the benchmark runs it: in this process, on a loopback port,
// on the client's clock, counting the status requests of each job and noting
// when each job was created, so that detection latency is measured against
// the moment the job really turned terminal.

import { systemClock } from "../clock.ts";
import { createSimulator, type SimulatorClock } from "../server.ts";

/** A simulator on a loopback port that keeps the benchmark's books. */
export interface BenchServer extends AsyncDisposable {
  /** Its base URL. */
  readonly url: string;
  /** Status requests (polls, long-polls, event streams) per job id so far. */
  readonly requests: ReadonlyMap<string, number>;
  /**
   * When a job's creating request reached the simulator, on the client's
   * clock; the job turns terminal its scripted delay later (a few
   * microseconds after this bound, so latency is never under-reported).
   */
  readonly createdAt: ReadonlyMap<string, number>;
  /** Stops the server; held requests are answered first. */
  close(): Promise<void>;
}

/** The client's clock (`systemClock`) with the timers the simulator needs. */
const clock: SimulatorClock = {
  now: systemClock.now,
  setTimeout: (callback, delay) => setTimeout(callback, delay),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

/**
 * Starts a simulator on 127.0.0.1 and a free port.
 *
 * @param legacy Whether it behaves like the seed's server.
 * @param maxJobs How many jobs it keeps.
 */
export function startBenchServer(
  legacy: boolean,
  maxJobs: number,
): BenchServer {
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
  const close = async (): Promise<void> => {
    await simulator.close();
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    createdAt,
    close,
    [Symbol.asyncDispose]: close,
  };
}
