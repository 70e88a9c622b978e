import assert from "node:assert/strict";
import {
  HTTPError,
  ProtocolError,
  TimeoutError,
  VideoStatusClient,
} from "../mod.ts";
import type { StatusUpdate } from "../mod.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { hang, json } from "../testing/scripted_fetch.ts";
import { completed, pending, setup, statusStream } from "./client/_setup.ts";

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

Deno.test("credentials in a URL are refused at construction, without showing them", () => {
  assert.throws(
    () =>
      setup([pending()], {
        statusUrl: "http://user:hunter2@example.test/status",
      }),
    (error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /'statusUrl' .* without user info/);
      assert.doesNotMatch(error.message, /hunter2|user:/);
      return true;
    },
  );
});

Deno.test("the per-call timeout overrides the client's", async () => {
  const { client, clock } = setup([pending()], { timeout: 60_000 });
  const start = clock.now();
  await assert.rejects(client.getStatus({ timeout: 2500 }), TimeoutError);
  assert.equal(clock.now() - start, 2500);
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
      status: "completed",
      body: { result: "completed" },
      payload: { result: "completed" },
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

Deno.test("watch() keeps the wait's pace under a slow loop, which sees the newest update and the final", async () => {
  const script = () => [
    ...Array.from({ length: 20 }, () => pending()),
    completed(),
  ];
  const paced = setup(script(), { schedule: { nextDelay: () => 1000 } });
  await paced.client.waitForJob("j");

  const { client, clock, sentAt } = setup(script(), {
    schedule: { nextDelay: () => 1000 },
  });
  const start = clock.now();
  const seen: { attempt: number; at: number }[] = [];
  for await (const update of client.watch("j")) {
    seen.push({ attempt: update.attempt, at: clock.now() - start });
    await clock.sleep(3500);
  }
  // The requests go out as without a loop.
  assert.deepEqual(sentAt, paced.sentAt);
  // Every 3.5 s the loop takes the newest update heard by then (attempt n
  // at n - 1 s; at 7 s, the loop wakes before the request of that time).
  assert.deepEqual(seen.map((s) => s.attempt), [1, 4, 7, 11, 14, 18, 21]);
  assert.deepEqual(seen.map((s) => s.at), [
    0,
    3500,
    7000,
    10500,
    14000,
    17500,
    21000,
  ]);
  assert.equal(clock.timers, 0);
});

Deno.test("watch() yields nothing queued after an abort, and ends at once", async () => {
  const pendings = Array.from({ length: 14 }, () => ({ result: "pending" }));
  const { client, clock } = setup(
    [statusStream([...pendings, { result: "completed" }])],
    { strategy: "sse" },
  );
  const controller = new AbortController();
  const reason = new Error("enough");
  const seen: string[] = [];
  const start = clock.now();
  await assert.rejects(async () => {
    for await (
      const update of client.watch("j", { signal: controller.signal })
    ) {
      seen.push(update.result);
      controller.abort(reason);
    }
  }, (error) => error === reason);
  assert.deepEqual(seen, ["pending"]);
  assert.equal(clock.now(), start);
  assert.equal(clock.timers, 0);
});

Deno.test("breaking out of watch() aborts the request in flight and sends no other", async () => {
  let inFlight: Request | undefined;
  const { client, clock, requests } = setup([
    pending(),
    (request) => {
      inFlight = request;
      return hang(request);
    },
  ]);
  for await (const _ of client.watch("j")) {
    // Let the wait send its next request, then leave.
    while (inFlight === undefined) await clock.sleep(100);
    break;
  }
  assert.equal(inFlight?.signal.aborted, true);
  assert.equal(requests.length, 2);
  assert.equal(clock.timers, 0);
});
