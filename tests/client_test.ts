import assert from "node:assert/strict";
import {
  HTTPError,
  ProtocolError,
  RequestTimeoutError,
  RetryError,
  TimeoutError,
  VideoStatusClient,
  type VideoStatusClientOptions,
} from "../mod.ts";
import type { RetryEvent, StatusUpdate } from "../client.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import {
  hang,
  json,
  scriptedFetch,
  type Step,
} from "../testing/scripted_fetch.ts";

const pending = () => json({ result: "pending" });
const completed = () => json({ result: "completed" });

function setup(steps: Step[], options: VideoStatusClientOptions = {}) {
  const clock = new FakeClock();
  const fake = scriptedFetch(steps);
  const updates: StatusUpdate[] = [];
  const retries: RetryEvent[] = [];
  const client = new VideoStatusClient({
    fetch: fake.fetch,
    clock,
    jitter: 0,
    strategy: "poll",
    onUpdate: (update) => updates.push(update),
    onRetry: (event) => retries.push(event),
    ...options,
  });
  return { client, clock, requests: fake.requests, updates, retries };
}

Deno.test("getStatus() polls /status with the seed's backoff until completed", async () => {
  const { client, clock, requests, updates } = setup([
    pending(),
    pending(),
    pending(),
    pending(),
    pending(),
    completed(),
  ]);
  const start = clock.now();
  assert.equal(await client.getStatus(), "completed");
  assert.equal(requests.length, 6);
  assert.equal(requests[0].url, "http://127.0.0.1:5000/status");
  assert.equal(requests[0].method, "GET");
  assert.equal(requests[0].headers.get("prefer"), null);
  assert.deepEqual(
    updates.map((u) => [u.result, u.attempt, u.nextDelay]),
    [
      ["pending", 1, 1000],
      ["pending", 2, 2000],
      ["pending", 3, 4000],
      ["pending", 4, 5000],
      ["pending", 5, 5000],
      ["completed", 6, undefined],
    ],
  );
  assert.equal(clock.now() - start, 17_000);
  assert.equal(updates.at(-1)?.elapsed, 17_000);
  assert.equal(clock.timers, 0);
});

Deno.test("getStatus() returns 'error' as a final status", async () => {
  const { client } = setup([pending(), json({ result: "error" })]);
  assert.equal(await client.getStatus(), "error");
});

Deno.test("getStatus() polls statusUrl as-is and sends the extra headers", async () => {
  const { client, requests } = setup([completed()], {
    statusUrl: "http://example.test/v1/status?job_id=abc",
    headers: { authorization: "Bearer secret" },
  });
  await client.getStatus();
  assert.equal(requests[0].url, "http://example.test/v1/status?job_id=abc");
  assert.equal(requests[0].headers.get("authorization"), "Bearer secret");
  assert.equal(requests[0].headers.get("accept"), "application/json");
});

Deno.test("getStatus() retries network errors, 5xx and 408, and waits out a 429 without counting it", async () => {
  const { client, retries, requests } = setup([
    new TypeError("connection refused"),
    json({ error: "boom" }, { status: 500 }),
    new Response("<html>bad gateway</html>", { status: 502 }),
    json({ error: "slow" }, { status: 408 }),
    json({ error: "busy" }, { status: 429 }),
    pending(),
    new TypeError("reset"),
    completed(),
  ]);
  assert.equal(await client.getStatus(), "completed");
  assert.equal(requests.length, 8);
  assert.deepEqual(retries.map((r) => r.failures), [1, 2, 3, 4, 4, 1]);
  assert.deepEqual(
    retries.map((r) => r.nextDelay),
    [1000, 2000, 4000, 5000, 1000, 1000],
  );
  assert.ok(retries[1].error instanceof HTTPError);
  assert.equal((retries[1].error as HTTPError).status, 500);
});

Deno.test("getStatus() rejects with RetryError after maxRetries consecutive failures", async () => {
  const last = new TypeError("connection refused");
  const { client, requests } = setup([last], { maxRetries: 3 });
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.name, "RetryError");
  assert.equal(error.failures, 4);
  assert.equal(error.cause, last);
  assert.equal(requests.length, 4);
});

Deno.test("maxRetries: 0 gives up on the first failure", async () => {
  const { client, requests } = setup([json({}, { status: 503 })], {
    maxRetries: 0,
  });
  await assert.rejects(client.getStatus(), RetryError);
  assert.equal(requests.length, 1);
});

Deno.test("getStatus() fails at once on a permanent HTTP error, without echoing headers", async (t) => {
  for (const status of [400, 401, 403, 404, 410]) {
    await t.step(`status ${status}`, async () => {
      const { client, requests } = setup(
        [json({ error: "nope" }, { status })],
        { headers: { "x-api-key": "top-secret" } },
      );
      const error = await client.getStatus().catch((e) => e);
      assert.ok(error instanceof HTTPError);
      assert.equal(error.status, status);
      assert.equal(error.response.status, status);
      assert.equal(error.body, '{"error":"nope"}');
      assert.equal(error.url, "http://127.0.0.1:5000/status");
      assert.doesNotMatch(error.message, /top-secret/);
      assert.equal(requests.length, 1);
    });
  }
});

Deno.test("credentials in the URL never appear in errors or updates", async () => {
  const { client, updates } = setup([pending(), json({}, { status: 404 })], {
    statusUrl: "http://user:hunter2@example.test/status",
  });
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof HTTPError);
  assert.doesNotMatch(error.message + error.url + updates[0].url, /hunter2/);
});

Deno.test("an unknown result is a ProtocolError at once", async () => {
  const { client, requests } = setup([json({ result: "done" })]);
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof ProtocolError);
  assert.match(error.message, /Unknown result "done"/);
  assert.equal(error.body, '{"result":"done"}');
  assert.equal(requests.length, 1);
});

Deno.test("an unreadable body is retried with backoff, then a RetryError", async (t) => {
  const bodies = [
    "not json",
    "<html><body>Internal error</body></html>",
    '{"status":"completed"}',
    "[1,2]",
    "null",
    "x".repeat(70_000),
  ];
  for (const body of bodies) {
    await t.step(body.slice(0, 20), async () => {
      const { client, clock, requests } = setup(
        [new Response(body, { status: 200 })],
        { maxRetries: 2 },
      );
      const error = await client.getStatus().catch((e) => e);
      assert.ok(error instanceof RetryError);
      assert.ok(error.cause instanceof ProtocolError);
      assert.equal(requests.length, 3);
      assert.deepEqual(clock.sleeps.filter((ms) => ms < 10_000), [1000, 2000]);
    });
  }
});

Deno.test("a wait rejects with TimeoutError at its timeout", async () => {
  const { client, clock } = setup([pending()], { timeout: 12_000 });
  const start = clock.now();
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof TimeoutError);
  assert.equal(error.name, "TimeoutError");
  assert.equal(error.timeout, 12_000);
  assert.equal(error.lastStatus, "pending");
  assert.equal(error.attempts, 4);
  assert.equal(clock.now() - start, 12_000);
  assert.equal(clock.timers, 0);
});

Deno.test("the per-call timeout overrides the client's", async () => {
  const { client, clock } = setup([pending()], { timeout: 60_000 });
  const start = clock.now();
  await assert.rejects(client.getStatus({ timeout: 2500 }), TimeoutError);
  assert.equal(clock.now() - start, 2500);
});

Deno.test("a request that never answers times out and is retried", async () => {
  const { client, retries } = setup([hang, completed()], {
    requestTimeout: 3000,
  });
  assert.equal(await client.getStatus(), "completed");
  assert.equal(retries.length, 1);
  assert.ok(retries[0].error instanceof RequestTimeoutError);
  assert.equal(retries[0].error.timeout, 3000);
  assert.equal(retries[0].error.url, "http://127.0.0.1:5000/status");
});

Deno.test("a server that never answers ends in TimeoutError by the wait's timeout", async () => {
  const { client, clock } = setup([hang], {
    timeout: 25_000,
    requestTimeout: 4000,
    maxRetries: 100,
  });
  const start = clock.now();
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof TimeoutError);
  assert.equal(error.timeout, 25_000);
  assert.equal(clock.now() - start, 25_000);
});

Deno.test("Retry-After is honoured on pending, 429 and 503, within bounds", async (t) => {
  const cases: [string, string, number][] = [
    ["pending", "3", 3000],
    ["429", "7", 7000],
    ["503", "2", 2000],
    ["429", "0", 100],
    ["503", "86400", 60_000],
    ["pending", "Thu, 01 Jan 1970 00:16:50 GMT", 10_000],
  ];
  for (const [kind, header, expected] of cases) {
    await t.step(`${kind} Retry-After: ${header}`, async () => {
      const first = kind === "pending"
        ? json({ result: "pending" }, { headers: { "retry-after": header } })
        : json({ error: "later" }, {
          status: Number(kind),
          headers: { "retry-after": header },
        });
      const { client, clock } = setup([first, completed()]);
      await client.getStatus();
      assert.equal(clock.sleeps.filter((ms) => ms < 600_000)[1], expected);
    });
  }
});

Deno.test("abort before the start rejects with the reason and sends nothing", async () => {
  const { client, requests } = setup([completed()]);
  const reason = new Error("not wanted");
  await assert.rejects(
    client.getStatus({ signal: AbortSignal.abort(reason) }),
    (error) => error === reason,
  );
  assert.equal(requests.length, 0);
});

Deno.test("abort during a sleep rejects with the reason and sends no further request", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const fake = scriptedFetch([pending()]);
  const client = new VideoStatusClient({ fetch: fake.fetch, clock });
  const controller = new AbortController();
  const waiting = client.getStatus({ signal: controller.signal });
  await clock.tick(0);
  assert.equal(fake.requests.length, 1);
  const reason = new DOMException("user left", "AbortError");
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  await clock.tick(60_000);
  assert.equal(fake.requests.length, 1);
  assert.equal(clock.timers, 0);
});

Deno.test("abort during a request aborts it and rejects with the reason", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const fake = scriptedFetch([hang]);
  const client = new VideoStatusClient({ fetch: fake.fetch, clock });
  const controller = new AbortController();
  const waiting = client.getStatus({ signal: controller.signal });
  await clock.tick(0);
  assert.equal(fake.requests.length, 1);
  const reason = "stop";
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(fake.requests[0].signal.aborted, true);
  assert.equal(clock.timers, 0);
});

Deno.test("abort while a body is being read rejects with the reason", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const controller = new AbortController();
  const reason = new Error("gone");
  const fake = scriptedFetch([(request) =>
    new Response(
      new ReadableStream({
        start(stream) {
          stream.enqueue(new TextEncoder().encode('{"res'));
          request.signal.addEventListener("abort", () =>
            stream.error(request.signal.reason));
          queueMicrotask(() =>
            controller.abort(reason)
          );
        },
      }),
    )]);
  const client = new VideoStatusClient({ fetch: fake.fetch, clock });
  await assert.rejects(
    client.getStatus({ signal: controller.signal }),
    (error) => error === reason,
  );
  assert.equal(clock.timers, 0);
});

Deno.test("auto strategy long-polls while the server applies Prefer: wait", async () => {
  const held = (result: string) =>
    json({ result }, { headers: { "preference-applied": "wait=30" } });
  const { client, requests, clock, updates } = setup(
    [held("pending"), held("pending"), held("completed")],
    { strategy: "auto" },
  );
  assert.equal(await client.getStatus(), "completed");
  assert.equal(requests.length, 3);
  assert.ok(requests.every((r) => r.headers.get("prefer") === "wait=30"));
  // The fake answers instantly, so the client waits minDelay between requests.
  assert.deepEqual(clock.sleeps.filter((ms) => ms < 30_000), [100, 100]);
  assert.deepEqual(updates.map((u) => u.source), [
    "long-poll",
    "long-poll",
    "long-poll",
  ]);
});

Deno.test("auto strategy falls back to backoff when the server ignores Prefer", async () => {
  const { client, requests, updates } = setup(
    [pending(), pending(), completed()],
    { strategy: "auto" },
  );
  assert.equal(await client.getStatus(), "completed");
  assert.equal(requests[0].headers.get("prefer"), "wait=30");
  assert.equal(requests[1].headers.get("prefer"), null);
  assert.equal(requests[2].headers.get("prefer"), null);
  assert.deepEqual(updates.map((u) => u.nextDelay), [1000, 2000, undefined]);
});

Deno.test("long-poll strategy keeps asking and stretches the request timeout", async () => {
  const clock = new FakeClock();
  const fake = scriptedFetch([
    async () => {
      await clock.sleep(4000);
      return pending();
    },
    completed(),
  ]);
  const client = new VideoStatusClient({
    fetch: fake.fetch,
    clock,
    strategy: "long-poll",
    longPollWait: 5000,
    requestTimeout: 1000,
    maxRetries: 0,
  });
  assert.equal(await client.getStatus(), "completed");
  assert.equal(fake.requests.length, 2);
  assert.ok(fake.requests.every((r) => r.headers.get("prefer") === "wait=5"));
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

Deno.test("sse strategy falls back to polling when there is no event stream", async () => {
  const { client, requests } = setup([
    json({ error: "not found" }, { status: 404 }),
    json({ result: "completed" }),
  ], { strategy: "sse" });
  assert.equal(await client.getStatus(), "completed");
  assert.equal(requests[0].url, "http://127.0.0.1:5000/status/events");
  assert.equal(requests[1].url, "http://127.0.0.1:5000/status");
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

Deno.test("createJob() posts the script in seconds and follows Location", async () => {
  const { client, requests } = setup([
    json({ id: "abc", result: "pending" }, {
      status: 201,
      headers: { location: "/jobs/abc" },
    }),
  ], { serverUrl: "http://example.test/api/" });
  const job = await client.createJob({ duration: 2500, outcome: "error" });
  assert.equal(job.id, "abc");
  assert.equal(job.url, "http://example.test/jobs/abc");
  assert.equal(job.result, "pending");
  assert.equal(requests[0].url, "http://example.test/api/jobs");
  assert.equal(requests[0].method, "POST");
  assert.deepEqual(await requests[0].json(), {
    duration: 2.5,
    outcome: "error",
  });
});

Deno.test("createJob() reports refusals and malformed answers", async () => {
  const refused = setup([json({ error: "bad delay" }, { status: 400 })]);
  const error = await refused.client.createJob().catch((e) => e);
  assert.ok(error instanceof HTTPError);
  assert.equal(error.status, 400);
  assert.equal(error.method, "POST");
  const malformed = setup([json({ result: "pending" }, { status: 201 })]);
  await assert.rejects(malformed.client.createJob(), ProtocolError);
  await assert.rejects(
    malformed.client.createJob({ duration: -1 }),
    RangeError,
  );
  await assert.rejects(
    // @ts-expect-error: a wrong outcome, as JavaScript callers may pass
    malformed.client.createJob({ outcome: "done" }),
    TypeError,
  );
});

Deno.test("waitForJob() measures elapsed from the job's creation", async () => {
  const { client, clock } = setup([
    json({ id: "j 1", result: "pending" }, { status: 201 }),
    pending(),
    completed(),
  ]);
  const job = await client.createJob();
  await clock.sleep(500);
  const final = await client.waitForJob(job);
  assert.equal(job.url, "http://127.0.0.1:5000/jobs/j%201");
  assert.equal(final.result, "completed");
  assert.equal(final.attempt, 2);
  assert.equal(final.elapsed, 1500);
});

Deno.test("watch() yields every update and stops cleanly when the loop breaks", async () => {
  const { client, clock, requests } = setup([pending()]);
  const seen: StatusUpdate[] = [];
  for await (const update of client.watch("x")) {
    seen.push(update);
    if (seen.length === 3) break;
  }
  assert.equal(requests.length, 3);
  assert.equal(requests[0].url, "http://127.0.0.1:5000/jobs/x");
  assert.equal(clock.timers, 0);
});

Deno.test("an exception in onUpdate ends the wait with it", async () => {
  const { client } = setup([pending()]);
  const oops = new Error("callback failed");
  await assert.rejects(
    client.getStatus({
      onUpdate: () => {
        throw oops;
      },
    }),
    (error) => error === oops,
  );
});

Deno.test("maxRequestsPerSecond bounds the requests of all waits in any second", async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const times: number[] = [];
  const client = new VideoStatusClient({
    clock,
    maxRequestsPerSecond: 4,
    fetch: () => {
      times.push(clock.now() - start);
      return Promise.resolve(completed());
    },
  });
  await Promise.all(Array.from({ length: 6 }, () => client.getStatus()));
  // A second and a millisecond: see RequestBudget.
  assert.deepEqual(times, [0, 0, 0, 0, 1001, 1001]);
});

Deno.test("a wait for a created job teaches the schedule where its completion lay", async () => {
  const observed: { after: number; atMost: number }[] = [];
  const { client } = setup([
    json({ id: "j", result: "pending" }, { status: 201 }),
    pending(),
    pending(),
    completed(),
  ], {
    schedule: {
      nextDelay: () => 3000,
      observe: (observation) => observed.push(observation),
    },
  });
  await client.waitForJob(await client.createJob());
  assert.deepEqual(observed, [{ after: 3000, atMost: 6000 }]);
});

Deno.test("the constructor rejects bad options with clear errors", async (t) => {
  // Options as JavaScript callers may pass them, wrong types included.
  const untyped = (options: Record<string, unknown>) =>
    options as VideoStatusClientOptions;
  const bad: [VideoStatusClientOptions, ErrorConstructor, RegExp][] = [
    [{ serverUrl: "not a url" }, TypeError, /'serverUrl'.*not a url/],
    [{ statusUrl: "/status" }, TypeError, /'statusUrl'/],
    [{ maxRetries: -1 }, RangeError, /'maxRetries'.*-1/],
    [{ maxRetries: 1.5 }, RangeError, /'maxRetries'/],
    [{ initialDelay: -5 }, RangeError, /'initialDelay'.*-5/],
    [
      { maxDelay: 10 },
      RangeError,
      /'maxDelay' must be .* at least 'initialDelay' \(1000\): current value is 10$/,
    ],
    [
      { initialDelay: 6000 },
      RangeError,
      /'maxDelay' .* 'initialDelay' \(6000\): current value is 5000/,
    ],
    [{ minDelay: 70_000 }, RangeError, /'maxRetryAfter' .* 'minDelay'/],
    [
      untyped({ maxRetries: "5" }),
      RangeError,
      /'maxRetries'.*current value is "5"/,
    ],
    [untyped({ jitter: "0.1" }), RangeError, /'jitter'.*"0.1"/],
    [
      untyped({ maxRequestsPerSecond: true }),
      RangeError,
      /'maxRequestsPerSecond'/,
    ],
    [
      untyped({ schedule: {} }),
      TypeError,
      /'schedule' must have the methods nextDelay\(\)/,
    ],
    [
      untyped({ clock: { now: () => 0 } }),
      TypeError,
      /'clock' .* now\(\), sleep\(\)/,
    ],
    [untyped({ random: "x" }), TypeError, /'random' must be a function/],
    [untyped({ onUpdate: 5 }), TypeError, /'onUpdate' must be a function/],
    [{ jitter: 2 }, RangeError, /'jitter'/],
    [{ timeout: Infinity }, RangeError, /'timeout'.*Infinity/],
    [{ timeout: 0 }, RangeError, /'timeout'/],
    [{ requestTimeout: NaN }, RangeError, /'requestTimeout'/],
    [{ maxRequestsPerSecond: 0 }, RangeError, /'maxRequestsPerSecond'/],
    [untyped({ strategy: "fast" }), TypeError, /'strategy'.*fast/],
    [untyped({ fetch: "fetch" }), TypeError, /'fetch'/],
  ];
  for (const [options, type, message] of bad) {
    await t.step(JSON.stringify(options), () => {
      assert.throws(() => new VideoStatusClient(options), (error) => {
        assert.ok(error instanceof type);
        assert.match((error as Error).message, message);
        return true;
      });
    });
  }
  assert.throws(
    () => new VideoStatusClient(null as unknown as VideoStatusClientOptions),
    /options must be an object: current value is null/,
  );
  const client = new VideoStatusClient({
    fetch: scriptedFetch([completed()]).fetch,
  });
  await assert.rejects(client.getStatus({ timeout: -1 }), RangeError);
  assert.throws(() => client.watch(""), TypeError);
});

Deno.test("fetch is called without a this, as browsers require", async () => {
  const receivers: unknown[] = [];
  const client = new VideoStatusClient({
    clock: new FakeClock(),
    fetch: function (this: unknown) {
      receivers.push(this);
      return Promise.resolve(completed());
    },
  });
  assert.equal(await client.getStatus(), "completed");
  assert.deepEqual(receivers, [undefined]);
});

Deno.test("createJob() spends the same request budget as the waits", async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const times: number[] = [];
  const client = new VideoStatusClient({
    clock,
    maxRequestsPerSecond: 2,
    fetch: () => {
      times.push(clock.now() - start);
      return Promise.resolve(
        json({ id: "j", result: "pending" }, { status: 201 }),
      );
    },
  });
  await Promise.all([
    client.createJob(),
    client.createJob(),
    client.createJob(),
  ]);
  assert.deepEqual(times, [0, 0, 1001]);
});

Deno.test("a wait queued for the request budget still ends at its timeout", async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const client = new VideoStatusClient({
    clock,
    maxRequestsPerSecond: 1,
    timeout: 2500,
    fetch: () => Promise.resolve(pending()),
  });
  const ends: number[] = [];
  const results = await Promise.allSettled(
    Array.from(
      { length: 5 },
      () => client.getStatus().finally(() => ends.push(clock.now() - start)),
    ),
  );
  for (const result of results) {
    assert.equal(result.status, "rejected");
    assert.ok(result.reason instanceof TimeoutError);
  }
  assert.deepEqual(ends, [2500, 2500, 2500, 2500, 2500]);
  assert.equal(clock.timers, 0);
});

Deno.test("watch() throws what the wait throws, and the abort reason unchanged", async () => {
  const missing = setup([pending(), json({ error: "gone" }, { status: 404 })]);
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const update of missing.client.watch("j")) {
      seen.push(update.result);
    }
  }, HTTPError);
  assert.deepEqual(seen, ["pending"]);

  const { client, clock } = setup([pending()]);
  const controller = new AbortController();
  const reason = new Error("stop watching");
  await assert.rejects(async () => {
    for await (const _ of client.watch("j", { signal: controller.signal })) {
      controller.abort(reason);
    }
  }, (error) => error === reason);
  assert.equal(clock.timers, 0);
});

Deno.test("watch() starts nothing until it is iterated", async () => {
  const { client, requests } = setup([completed()]);
  const updates = client.watch("j");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(requests.length, 0);
  assert.deepEqual(await updates.next(), {
    value: {
      result: "completed",
      body: { result: "completed" },
      attempt: 1,
      elapsed: 0,
      nextDelay: undefined,
      source: "poll",
      url: "http://127.0.0.1:5000/jobs/j",
    },
    done: false,
  });
  assert.deepEqual(await updates.next(), { value: undefined, done: true });
});

Deno.test("an abort just before a request goes out sends nothing", async () => {
  const controller = new AbortController();
  const reason = new Error("changed my mind");
  const { client, requests } = setup([completed()]);
  const waiting = client.getStatus({ signal: controller.signal });
  // The wait has started and is taking its (unlimited) budget turn.
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(requests.length, 0);
});

Deno.test("every 5xx is retried but 501 and 505, which are permanent", async (t) => {
  for (const status of [500, 502, 503, 504, 507, 520, 501, 505]) {
    await t.step(String(status), async () => {
      const { client, requests } = setup([json({}, { status })], {
        maxRetries: 2,
      });
      const error = await client.getStatus().catch((e) => e);
      const permanent = status === 501 || status === 505;
      assert.ok(
        permanent ? error instanceof HTTPError : error instanceof RetryError,
      );
      assert.equal(requests.length, permanent ? 1 : 3);
    });
  }
});

Deno.test("a fetch that answers after its abort (an in-process handler) does not count as an answer", async (t) => {
  // Like the simulator's fetch, which answers an aborted long-poll with a 499.
  const answersAnyway = (request: Request) =>
    new Promise<Response>((resolve) =>
      request.signal.addEventListener(
        "abort",
        () => resolve(new Response(null, { status: 499 })),
        { once: true },
      )
    );
  for (const strategy of ["long-poll", "sse"] as const) {
    await t.step(`${strategy}: abort`, async () => {
      const clock = new FakeClock();
      const client = new VideoStatusClient({
        clock,
        strategy,
        fetch: (input, init) => answersAnyway(new Request(input, init)),
      });
      const controller = new AbortController();
      const reason = new Error("leaving");
      const waiting = client.getStatus({ signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 0));
      controller.abort(reason);
      await assert.rejects(waiting, (error) => error === reason);
    });
    await t.step(`${strategy}: timeout`, async () => {
      const client = new VideoStatusClient({
        clock: new FakeClock(),
        strategy,
        timeout: 5000,
        fetch: (input, init) => answersAnyway(new Request(input, init)),
      });
      await assert.rejects(client.getStatus(), TimeoutError);
    });
  }
});
