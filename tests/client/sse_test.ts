import assert from "node:assert/strict";
import {
  type CompletionObservation,
  MAX_EVENT_STREAM_LINE_BYTES,
  ProtocolError,
  RequestTimeoutError,
  RetryError,
} from "../../mod.ts";
import { EventStreamLimitError } from "../../protocol/sse.ts";
import type { FakeClock } from "../../testing/fake_clock.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { completed, setup, statusStream } from "./_setup.ts";

const P = { result: "pending" };
const DONE = { result: "completed" };

Deno.test("healthy short streams reset the failure count and reconnect at a steady pace", async () => {
  const { client, sentAt, retries } = setup([
    statusStream([P]),
    statusStream([P]),
    statusStream([P]),
    statusStream([P]),
    statusStream([DONE]),
  ], { strategy: "sse", maxRetries: 1 });
  assert.equal(await client.getStatus(), "completed");
  assert.deepEqual(sentAt, [0, 1000, 2000, 3000, 4000]);
  assert.equal(retries.length, 0);
});

Deno.test("a stream that failed after a status starts counting failures from one", async () => {
  const { client, retries } = setup([
    statusStream([P]),
    new TypeError("reset"),
    statusStream([P]),
    new TypeError("reset"),
    statusStream([DONE]),
  ], { strategy: "sse", maxRetries: 1 });
  assert.equal(await client.getStatus(), "completed");
  assert.deepEqual(retries.map((r) => r.failures), [1, 1]);
});

Deno.test("reconnects honour the stream's retry: within minDelay and maxRetryAfter", async (t) => {
  for (
    const [retry, expected] of [[2500, 2500], [10, 100], [9_000_000, 60_000]]
  ) {
    await t.step(`retry: ${retry}`, async () => {
      const { client, sentAt } = setup([
        statusStream([P], `retry: ${retry}\n\n`),
        statusStream([DONE]),
      ], { strategy: "sse", minDelay: 100, maxRetryAfter: 60_000 });
      await client.getStatus();
      assert.deepEqual(sentAt, [0, expected]);
    });
  }
});

Deno.test("a reconnect sends Last-Event-ID only when the server gave ids", async () => {
  const { client, requests } = setup([
    statusStream([P]),
    statusStream([P], "id: 41\n"),
    statusStream([P], "id\n"),
    statusStream([DONE]),
  ], { strategy: "sse" });
  await client.getStatus();
  assert.deepEqual(
    requests.map((r) => r.headers.get("last-event-id")),
    [null, null, "41", null],
  );
});

Deno.test("an event whose data is not a status is a failure, retried on a new stream", async () => {
  const { client, requests, retries } = setup([
    statusStream([P, "not json", DONE]),
    statusStream([DONE]),
  ], { strategy: "sse" });
  assert.equal(await client.getStatus(), "completed");
  assert.equal(requests.length, 2);
  assert.equal(retries.length, 1);
  assert.ok(retries[0].error instanceof ProtocolError);
  assert.equal(retries[0].error.url, "http://127.0.0.1:5000/status/events");
  assert.equal(retries[0].failures, 1);
});

Deno.test("every chunk of a stream, heartbeats included, restarts its idle timer", async () => {
  const encoder = new TextEncoder();
  const slowStream = (clock: FakeClock) => () => {
    let beats = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await clock.sleep(1500);
        if (++beats < 8) {
          controller.enqueue(encoder.encode(": heartbeat\n\n"));
        } else {
          controller.enqueue(
            encoder.encode(`event: status\ndata: ${JSON.stringify(DONE)}\n\n`),
          );
          controller.close();
        }
      },
    });
    return Promise.resolve(
      new Response(body, { headers: { "content-type": "text/event-stream" } }),
    );
  };
  const { client, requests, retries } = setup((clock) => [slowStream(clock)], {
    strategy: "sse",
    requestTimeout: 1000,
    longPollWait: 1000,
  });
  assert.equal(await client.getStatus(), "completed");
  assert.equal(requests.length, 1);
  assert.equal(retries.length, 0);
});

Deno.test("a silent stream fails with a RequestTimeoutError and is retried", async () => {
  const silent = () =>
    Promise.resolve(
      new Response(new ReadableStream(), {
        headers: { "content-type": "text/event-stream" },
      }),
    );
  const { client, retries, sentAt } = setup([silent, statusStream([DONE])], {
    strategy: "sse",
    requestTimeout: 1000,
    longPollWait: 1000,
  });
  assert.equal(await client.getStatus(), "completed");
  assert.ok(retries[0].error instanceof RequestTimeoutError);
  assert.equal(retries[0].error.timeout, 2000);
  assert.deepEqual(sentAt, [0, 3000]);
});

Deno.test("a server without an event stream makes the wait fall back to polling", async (t) => {
  const answers: [string, Response][] = [
    ...[404, 405, 406, 501].map((status): [string, Response] => [
      String(status),
      json({ error: "no stream" }, { status }),
    ]),
    ["200 that is not an event stream", json({ result: "pending" })],
  ];
  for (const [name, answer] of answers) {
    await t.step(name, async () => {
      const { client, requests, retries } = setup([answer, completed()], {
        strategy: "sse",
      });
      assert.equal(await client.getStatus(), "completed");
      assert.deepEqual(requests.map((r) => new URL(r.url).pathname), [
        "/status/events",
        "/status",
      ]);
      assert.equal(requests[1].headers.get("prefer"), "wait=30");
      assert.equal(retries.length, 0);
    });
  }
});

Deno.test("an event stream's final status teaches near-exact only after a pending one", async () => {
  const observed: CompletionObservation[] = [];
  const encoder = new TextEncoder();
  const stream = (clock: FakeClock) => () => {
    const chunks = [
      `event: status\ndata: ${JSON.stringify(P)}\n\n`,
      ": heartbeat\n\n",
      `event: status\ndata: ${JSON.stringify(DONE)}\n\n`,
    ];
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (chunks.length === 0) return controller.close();
        await clock.sleep(3000);
        controller.enqueue(encoder.encode(chunks.shift()!));
      },
    });
    return Promise.resolve(
      new Response(body, { headers: { "content-type": "text/event-stream" } }),
    );
  };
  const { client } = setup((clock) => [
    json({ id: "j", result: "pending" }, { status: 201 }),
    stream(clock),
  ], {
    strategy: "sse",
    schedule: {
      nextDelay: () => 1000,
      observe: (observation) => observed.push(observation),
    },
  });
  const final = await client.waitForJob(await client.createJob());
  assert.deepEqual(final.body, DONE);
  // Pending at 3000, still nothing new at the heartbeat at 6000, final at 9000.
  assert.deepEqual(observed, [{
    after: 6000,
    atMost: 9000,
    wait: observed[0]?.wait,
    watchedFrom: 0,
  }]);
  // The wait is named the same in every call about it: its job's start and URL.
  assert.match(observed[0].wait ?? "", /^\d+ https?:\/\//);
});
Deno.test("sse strategy follows the event stream and delivers the final status once", async () => {
  const stream = [
    ": heartbeat",
    "",
    "event: status",
    'data: {"result":"pending"}',
    "",
    "event: status",
    'data: {"result":"completed"}',
    "",
    "event: status",
    'data: {"result":"pending"}',
    "",
  ].join("\n");
  const { client, requests, updates } = setup([
    new Response(stream, { headers: { "content-type": "text/event-stream" } }),
  ], { strategy: "sse", serverUrl: "http://example.test" });
  const seen: string[] = [];
  for await (const update of client.watch("j1")) seen.push(update.result);
  assert.deepEqual(seen, ["pending", "completed"]);
  assert.equal(updates.length, 2);
  assert.equal(requests.length, 1);
  assert.equal(requests[0].url, "http://example.test/jobs/j1/events");
  assert.equal(requests[0].headers.get("accept"), "text/event-stream");
});

Deno.test("sse strategy reconnects when a stream ends early, which is no failure", async () => {
  const { client, clock, requests, retries } = setup([
    new Response('event: status\ndata: {"result":"pending"}\n\n', {
      headers: { "content-type": "text/event-stream" },
    }),
    new Response('event: status\ndata: {"result":"error"}\n\n', {
      headers: { "content-type": "text/event-stream" },
    }),
  ], { strategy: "sse" });
  const start = clock.now();
  assert.equal(await client.getStatus(), "error");
  assert.equal(requests.length, 2);
  assert.equal(retries.length, 0);
  // With no retry: from the stream, the first backoff delay.
  assert.equal(clock.now() - start, 1000);
});

Deno.test("a stream past the line or event limit is dropped as a failure and the wait goes on", async (t) => {
  const chunk = 64 * 1024;
  const cases = [
    ["one endless line", "x".repeat(chunk)],
    [
      "an event that never ends",
      ("data: " + "y".repeat(57) + "\n").repeat(1024),
    ],
  ];
  for (const [name, filler] of cases) {
    await t.step(name, async () => {
      let pulled = 0;
      const endlessStream = (first: boolean) => () => {
        const encoder = new TextEncoder();
        return new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              const text = first
                ? 'event: status\ndata: {"result":"pending"}\n\n'
                : filler;
              first = false;
              pulled += text.length;
              controller.enqueue(encoder.encode(text));
            },
          }, { highWaterMark: 0 }),
          { headers: { "content-type": "text/event-stream" } },
        );
      };
      const { client, retries, updates, sentAt } = setup([
        endlessStream(true),
        statusStream([DONE]),
      ], { strategy: "sse" });
      assert.equal(await client.getStatus(), "completed");
      assert.deepEqual(updates.map((u) => u.result), ["pending", "completed"]);
      assert.equal(retries.length, 1);
      const { error } = retries[0];
      assert.ok(error instanceof ProtocolError, String(error));
      assert.ok(error.cause instanceof EventStreamLimitError);
      assert.match(error.message, /^Event stream (line|event) exceeded/);
      assert.equal(retries[0].failures, 1);
      assert.deepEqual(sentAt, [0, 1000]);
      assert.ok(pulled <= MAX_EVENT_STREAM_LINE_BYTES + 2 * chunk, `${pulled}`);

      pulled = 0;
      // Without a status first, each such stream adds a failure.
      const again = setup([endlessStream(false)], {
        strategy: "sse",
        maxRetries: 2,
      });
      await assert.rejects(
        again.client.getStatus(),
        (error) =>
          error instanceof RetryError && error.failures === 3 &&
          error.cause instanceof ProtocolError,
      );
      assert.equal(again.requests.length, 3);
    });
  }
});

Deno.test("events are read through the dialect: its words, progress, and an unknown word ends the wait", async () => {
  const { client, requests, updates } = setup([
    statusStream([
      { id: "v1", status: "queued", progress: 0 },
      { id: "v1", status: "in_progress", progress: 55 },
      { id: "v1", status: "completed", progress: 100 },
    ]),
  ], { strategy: "sse", dialect: "openai-video" });
  const final = await client.waitForJob("v1");
  assert.equal(requests[0].url, "http://127.0.0.1:5000/v1/videos/v1/events");
  assert.deepEqual(
    updates.map((u) => [u.result, u.status, u.progress]),
    [
      ["pending", "queued", 0],
      ["pending", "in_progress", 0.55],
      ["completed", "completed", 1],
    ],
  );
  assert.equal(final.source, "sse");
  const unknown = setup([statusStream([{ status: "paused" }])], {
    strategy: "sse",
    dialect: "openai-video",
  });
  await assert.rejects(unknown.client.waitForJob("v1"), {
    name: "ProtocolError",
    message: /^Unknown status "paused"/,
  });
  assert.equal(unknown.requests.length, 1);
});
