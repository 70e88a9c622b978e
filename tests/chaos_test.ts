// The chaos suite: the client against a misbehaving server, cell by cell.
// Most cells run the real simulator in process on one virtual clock shared
// with the client, so they are deterministic (seeded) and take no real time;
// the one cell that needs a real socket runs on virtual time too.
//
// In every cell: the result is right or the documented error, the wait ends
// by its timeout, nothing is sent after an abort, and the sanitizers see no
// leak.

import assert from "node:assert/strict";
import {
  type FinalStatus,
  isRequestTimeoutError,
  isRetryError,
  isTimeoutError,
  NetworkError,
  ProtocolError,
  type Strategy,
  VideoStatusClient,
  type VideoStatusClientOptions,
} from "../mod.ts";
import { createSimulator, type SimulatorOptions } from "../server.ts";
import { seededRandom } from "../util/random.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { json, scriptedFetch, type Step } from "../testing/scripted_fetch.ts";

const TIMEOUT = 120_000;
const ALL: Strategy[] = ["poll", "auto", "sse"];
const JOBS = 12;

interface Cell {
  name: string;
  /** The strategies whose requests this cell makes fail: retries must be seen. */
  faulty?: Strategy[];
  simulator: SimulatorOptions;
  client?: VideoStatusClientOptions;
}

const cells: Cell[] = [
  { name: "no faults", simulator: {} },
  { name: "10% faults", faulty: ALL, simulator: { faultRate: 0.1 } },
  { name: "50% faults", faulty: ALL, simulator: { faultRate: 0.5 } },
  { name: "connection resets", faulty: ALL, simulator: { resetRate: 0.3 } },
  {
    name: "latency spikes",
    // Long-polls and streams are held longer than any latency: no failure.
    faulty: ["poll"],
    simulator: { minLatency: 0, maxLatency: 4000 },
    client: { requestTimeout: 2000 },
  },
  {
    name: "429 storm",
    faulty: ALL,
    simulator: { rateLimit: 2 },
    client: { maxRetries: 40 },
  },
  { name: "legacy server", simulator: { legacy: true } },
  {
    name: "everything at once",
    faulty: ALL,
    simulator: {
      faultRate: 0.2,
      resetRate: 0.1,
      minLatency: 0,
      maxLatency: 1500,
      rateLimit: 5,
    },
    client: { requestTimeout: 1000 },
  },
];

/** Where one wait's requests went, to check nothing follows an abort. */
function requestsTo(requests: Request[], url: string): number {
  return requests.filter((r) => r.url.startsWith(url)).length;
}

for (const cell of cells) {
  Deno.test(`chaos: ${cell.name}`, async (t) => {
    for (const strategy of ALL) {
      await t.step(strategy, async () => {
        const clock = new FakeClock();
        await using simulator = createSimulator({
          seed: 42,
          clock,
          ...cell.simulator,
        });
        const fake = scriptedFetch([(request) => simulator.fetch(request)]);
        let retries = 0;
        const client = new VideoStatusClient({
          onRetry: () => retries++,
          serverUrl: "http://sim.test",
          fetch: fake.fetch,
          clock,
          random: seededRandom(7),
          strategy,
          maxRetries: 12,
          timeout: TIMEOUT,
          ...cell.client,
        });
        // Jobs are created out of band so that a rate limit or a fault does
        // not stop the set-up.
        const jobs: { url: string; outcome: FinalStatus }[] = [];
        for (let i = 0; i < JOBS; i++) {
          const outcome: FinalStatus = i % 3 === 0 ? "error" : "completed";
          const response = await simulator.fetch(
            new Request("http://sim.test/jobs", {
              method: "POST",
              body: JSON.stringify({ duration: 2 + i * 1.5, outcome }),
            }),
            { remoteAddr: { hostname: `set-up-${i}` } },
          );
          const { id } = await response.json();
          jobs.push({ url: `http://sim.test/jobs/${id}`, outcome });
        }
        const start = clock.now();
        // The last job created is still pending when the abort comes.
        const abortedJob = jobs[JOBS - 1];
        const controller = new AbortController();
        const reason = new Error("caller gave up");
        let sentBeforeAbort = -1;
        void clock.sleep(1500).then(() => {
          sentBeforeAbort = requestsTo(fake.requests, abortedJob.url);
          controller.abort(reason);
        });
        const results = await Promise.allSettled(
          jobs.map((job) =>
            client.waitForJob(
              job.url.split("/").pop()!,
              job === abortedJob ? { signal: controller.signal } : {},
            )
          ),
        );
        for (const [i, settled] of results.entries()) {
          const job = jobs[i];
          if (job === abortedJob) {
            assert.equal(settled.status, "rejected");
            assert.equal((settled as PromiseRejectedResult).reason, reason);
            continue;
          }
          if (settled.status === "rejected") {
            assert.fail(`job ${i}: ${settled.reason}`);
          }
          assert.equal(settled.value.result, job.outcome, `job ${i}`);
        }
        assert.ok(
          clock.now() - start <= TIMEOUT,
          "a wait outlived its timeout",
        );
        assert.equal(
          retries > 0,
          cell.faulty?.includes(strategy) ?? false,
          `${retries} retries`,
        );
        assert.ok(sentBeforeAbort >= 0);
        assert.equal(
          requestsTo(fake.requests, abortedJob.url),
          sentBeforeAbort,
          "a request was sent after the abort",
        );
      });
    }
  });
}

/** A client on a fake clock over a scripted server. */
function scripted(steps: Step[], options: VideoStatusClientOptions = {}) {
  const clock = new FakeClock();
  const fake = scriptedFetch(steps);
  const client = new VideoStatusClient({
    fetch: fake.fetch,
    clock,
    strategy: "poll",
    timeout: 60_000,
    ...options,
  });
  return { client, clock, requests: fake.requests };
}

Deno.test("chaos: malformed JSON now and then is survived", async () => {
  const { client } = scripted([
    new Response('{"result": "pend'),
    json({ result: "pending" }),
    new Response("{result: completed}"),
    json({ result: "completed" }),
  ]);
  assert.equal(await client.getStatus(), "completed");
});

Deno.test("chaos: an HTML error page is a retryable failure", async () => {
  const page = () =>
    new Response("<!doctype html><h1>502 Bad Gateway</h1>", {
      status: 502,
      headers: { "content-type": "text/html" },
    });
  const { client } = scripted([page(), page(), json({ result: "completed" })]);
  assert.equal(await client.getStatus(), "completed");
  const failing = scripted([page()], { maxRetries: 3 });
  const error = await failing.client.getStatus().catch((e) => e);
  assert.ok(isRetryError(error));
  assert.equal(error.failures, 4);
});

Deno.test("chaos: an HTML page with status 200 is a protocol failure, retried", async () => {
  const { client, clock } = scripted([
    new Response("<html>maintenance</html>", { status: 200 }),
  ], { maxRetries: 2 });
  const start = clock.now();
  const error = await client.getStatus().catch((e) => e);
  assert.ok(isRetryError(error));
  assert.ok(error.cause instanceof ProtocolError);
  // Backoff between the attempts: never a tight loop.
  assert.ok(clock.now() - start >= 2000);
});

Deno.test("chaos: an unknown result value is a ProtocolError, not a loop", async () => {
  const { client, requests } = scripted([
    json({ result: "pending" }),
    json({ result: "finished" }),
  ]);
  await assert.rejects(client.getStatus(), ProtocolError);
  assert.equal(requests.length, 2);
});

Deno.test("chaos: a server that flips from terminal back to pending: the first terminal answer wins", async (t) => {
  for (const strategy of ["poll", "sse"] as const) {
    await t.step(strategy, async () => {
      const flipping = strategy === "sse"
        ? [
          new Response(
            [
              'event: status\ndata: {"result":"completed"}\n\n',
              'event: status\ndata: {"result":"pending"}\n\n',
            ].join(""),
            { headers: { "content-type": "text/event-stream" } },
          ),
        ]
        : [
          json({ result: "pending" }),
          json({ result: "error" }),
          json({ result: "pending" }),
          json({ result: "completed" }),
        ];
      const { client } = scripted(flipping, { strategy });
      const seen: string[] = [];
      for await (const update of client.watch()) seen.push(update.result);
      assert.deepEqual(
        seen,
        strategy === "sse" ? ["completed"] : ["pending", "error"],
      );
    });
  }
});

Deno.test("chaos: a server that accepts and never answers ends in TimeoutError on time", async () => {
  // A real socket that never answers, on virtual time: every request is
  // really aborted at its timeout, and the wait ends exactly at its own.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const clock = new FakeClock();
    const retries: unknown[] = [];
    const client = new VideoStatusClient({
      serverUrl: `http://127.0.0.1:${listener.addr.port}`,
      clock,
      strategy: "poll",
      requestTimeout: 300,
      timeout: 1500,
      maxRetries: 100,
      onRetry: ({ error }) => retries.push(error),
    });
    const start = clock.now();
    const error = await client.getStatus().catch((e) => e);
    assert.ok(isTimeoutError(error), String(error));
    assert.equal(clock.now() - start, 1500);
    assert.ok(retries.length >= 1);
    assert.ok(retries.every(isRequestTimeoutError), String(retries[0]));
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});

Deno.test("chaos: a server that goes away and comes back", async () => {
  const clock = new FakeClock();
  const first = createSimulator({
    clock,
    minDuration: 60_000,
    maxDuration: 60_000,
    legacy: true,
  });
  await using second = createSimulator({
    clock,
    minDuration: 500,
    maxDuration: 500,
    errorRate: 0,
    legacy: true,
  });
  // While no server is up, connections are refused, as fetch reports it.
  let server: typeof first | undefined = first;
  let closing: Promise<void> | undefined;
  void clock.sleep(300).then(() => {
    server = undefined;
    closing = first.close();
  });
  void clock.sleep(1000).then(() => server = second);
  const retries: unknown[] = [];
  const client = new VideoStatusClient({
    serverUrl: "http://sim.test",
    clock,
    fetch: (input, init) =>
      server === undefined
        ? Promise.reject(new TypeError("error sending request: refused"))
        : server.fetch(new Request(input, init)),
    strategy: "poll",
    initialDelay: 100,
    maxDelay: 200,
    maxRetries: 50,
    timeout: 20_000,
    onRetry: ({ error }) => retries.push(error),
  });
  assert.equal(await client.getStatus(), "completed");
  await closing;
  assert.ok(retries.length >= 1, "the outage was not noticed");
  assert.ok(retries.every((error) => error instanceof NetworkError));
});
