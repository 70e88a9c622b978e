import assert from "node:assert/strict";
import { TimeoutError, VideoStatusClient } from "../../mod.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { hang, json, scriptedFetch } from "../../testing/scripted_fetch.ts";
import { completed, pending, setup } from "./_setup.ts";
import { event, TestSource } from "./_webhook_source.ts";

Deno.test("a verified final event ends a sleeping wait at once, leaving no timer and no listener", async () => {
  const source = new TestSource();
  const { client, clock, sentAt, updates } = setup([pending()], {
    webhooks: source,
  });
  const start = clock.now();
  source.deliverIn(clock, 5000, event("j1", "completed"));
  const final = await client.waitForJob("j1");
  assert.equal(clock.now() - start, 5000);
  assert.equal(final.source, "webhook");
  assert.equal(final.result, "completed");
  assert.equal(final.attempt, 1);
  assert.deepEqual(final.body, { id: "j1", result: "completed" });
  assert.deepEqual(sentAt, [0]);
  assert.deepEqual(updates.map((u) => [u.source, u.result, u.nextDelay]), [
    ["poll", "pending", 60_000],
    ["webhook", "completed", undefined],
  ]);
  assert.equal(clock.timers, 0);
  assert.equal(source.listening, 0);
});

Deno.test("with a source attached, polling slows to the safety net", async (t) => {
  await t.step(
    "one request a minute by default, the first at once",
    async () => {
      const source = new TestSource();
      const { client, sentAt } = setup(
        [pending(), pending(), pending(), completed()],
        { webhooks: source },
      );
      const final = await client.waitForJob("j1");
      assert.equal(final.source, "poll");
      assert.deepEqual(sentAt, [0, 60_000, 120_000, 180_000]);
      assert.equal(source.listening, 0);
    },
  );
  await t.step(
    "webhookSafetyDelay sets it; minDelay still floors it",
    async () => {
      const { client, sentAt } = setup([pending(), pending(), completed()], {
        webhooks: new TestSource(),
        webhookSafetyDelay: 10,
        minDelay: 250,
      });
      await client.waitForJob("j1");
      assert.deepEqual(sentAt, [0, 250, 500]);
    },
  );
  await t.step("a server's longer Retry-After still wins", async () => {
    const { client, sentAt } = setup([
      json({ result: "pending" }, { headers: { "retry-after": "90" } }),
      completed(),
    ], { webhooks: new TestSource(), maxRetryAfter: 120_000 });
    await client.waitForJob("j1");
    assert.deepEqual(sentAt, [0, 90_000]);
  });
  await t.step(
    "a wait's own source slows it; the timeout still ends it",
    async () => {
      const source = new TestSource();
      const { client, sentAt } = setup([pending()]);
      await assert.rejects(
        client.waitForJob("j1", { webhooks: source, timeout: 150_000 }),
        (error) => error instanceof TimeoutError && error.attempts === 3,
      );
      assert.deepEqual(sentAt, [0, 60_000, 120_000]);
      assert.equal(source.listening, 0);
    },
  );
  await t.step("without a source the schedule runs as before", async () => {
    const { client, sentAt } = setup([pending(), completed()]);
    await client.waitForJob("j1");
    assert.deepEqual(sentAt, [0, 1000]);
  });
});

Deno.test("a final event aborts the request in flight; the answer is never heard", async () => {
  const source = new TestSource();
  const { client, clock, requests, updates } = setup([hang], {
    webhooks: source,
  });
  source.deliverIn(
    clock,
    3000,
    event("j1", "error", { extra: { error: "bad input" } }),
  );
  const final = await client.waitForJob("j1");
  assert.equal(final.result, "error");
  assert.equal(requests.length, 1);
  assert.equal(requests[0].signal.aborted, true);
  assert.equal(updates.length, 1);
  assert.equal(clock.timers, 0);
});

Deno.test("a final poll stops listening: later events change nothing", async () => {
  const source = new TestSource();
  const { client, updates } = setup([completed()], { webhooks: source });
  const final = await client.waitForJob("j1");
  assert.equal(final.source, "poll");
  assert.equal(source.listening, 0);
  source.deliver(event("j1", "error"));
  assert.equal(updates.length, 1);
  assert.equal(source.kept.length, 1);
});

Deno.test("an event heard during the final update's callback changes nothing", async () => {
  const source = new TestSource();
  const { client, updates } = setup([completed()], { webhooks: source });
  const final = await client.waitForJob("j1", {
    onUpdate: () => source.deliver(event("j1", "error")),
  });
  assert.equal(final.result, "completed");
  assert.deepEqual(updates.map((u) => `${u.source} ${u.result}`), [
    "poll completed",
  ]);
});

Deno.test("a webhook update carries the event's fields; attempt counts requests only", async () => {
  const source = new TestSource();
  const { client, clock, updates } = setup([pending()], { webhooks: source });
  const progressing = event("j1", "pending", {
    id: "m1",
    extra: { progress: 0.5 },
  });
  progressing.reading.progress = 0.5;
  progressing.reading.status = "processing";
  source.deliverIn(clock, 1000, progressing);
  const failed = event("j1", "error", { id: "m2" });
  failed.reading.error = "bad input";
  failed.reading.payload = { why: "bad input" };
  source.deliverIn(clock, 2000, failed);
  await client.waitForJob("j1");
  const [, pendingUpdate, final] = updates;
  assert.deepEqual(
    { ...pendingUpdate, url: undefined },
    {
      result: "pending",
      status: "processing",
      body: { id: "j1", result: "pending", progress: 0.5 },
      payload: progressing.body,
      progress: 0.5,
      attempt: 1,
      elapsed: 1000,
      nextDelay: undefined,
      source: "webhook",
      url: undefined,
    },
  );
  assert.equal(final.error, "bad input");
  assert.deepEqual(final.payload, { why: "bad input" });
  assert.equal(final.attempt, 1);
});

Deno.test("duplicated events count once; a pending event after the final changes nothing", async () => {
  const source = new TestSource();
  const { client, clock, updates, sentAt } = setup([pending()], {
    webhooks: source,
  });
  const started = event("j1", "pending", { id: "m1" });
  source.deliverIn(clock, 1000, started);
  source.deliverIn(clock, 1500, started);
  const done = event("j1", "completed", { id: "m2" });
  source.deliverIn(clock, 2000, done);
  source.deliverIn(clock, 2000, done);
  source.deliverIn(clock, 2000, event("j1", "pending", { id: "m3" }));
  const final = await client.waitForJob("j1");
  await clock.tick(0);
  assert.equal(final.result, "completed");
  assert.deepEqual(updates.map((u) => `${u.source} ${u.result}`), [
    "poll pending",
    "webhook pending",
    "webhook completed",
  ]);
  // A pending event plans no request: the safety net stays as it was.
  assert.deepEqual(sentAt, [0]);
  source.close();
});

Deno.test("a flood of verified pending events with fresh ids is heard each once, and the final still ends the wait", async () => {
  const source = new TestSource();
  const { client, clock, updates, sentAt } = setup([pending()], {
    webhooks: source,
  });
  // More ids than a wait remembers: each is new, so each is an update, and
  // the recent ones are still known as duplicates.
  for (let i = 0; i < 1000; i++) {
    source.deliverIn(clock, 1000, event("j1", "pending", { id: `p${i}` }));
  }
  source.deliverIn(clock, 1000, event("j1", "pending", { id: "p999" }));
  source.deliverIn(clock, 2000, event("j1", "completed", { id: "done" }));
  const final = await client.waitForJob("j1");
  assert.equal(final.result, "completed");
  assert.equal(updates.filter((u) => u.source === "webhook").length, 1001);
  assert.deepEqual(sentAt, [0]);
  source.close();
});

Deno.test("an event kept from before the wait ends it without a request", async () => {
  const source = new TestSource();
  source.deliver(event("j1", "completed", { receivedAt: 5 }));
  const { client, requests, updates } = setup([pending()], {
    webhooks: source,
  });
  const final = await client.waitForJob("j1");
  assert.equal(final.source, "webhook");
  assert.equal(requests.length, 0);
  assert.equal(updates.length, 1);
  assert.equal(source.listening, 0);
});

Deno.test("an unverified event is only a hint: one request, never a result", async (t) => {
  await t.step("it wakes the sleep for one request", async () => {
    const source = new TestSource();
    const { client, clock, sentAt, updates } = setup(
      [pending(), json({ result: "error" })],
      { webhooks: source },
    );
    source.deliverIn(
      clock,
      5000,
      event("j1", "completed", { verified: false }),
    );
    const final = await client.waitForJob("j1");
    assert.equal(final.result, "error");
    assert.equal(final.source, "poll");
    assert.deepEqual(sentAt, [0, 5000]);
    assert.ok(updates.every((u) => u.source === "poll"));
  });
  await t.step(
    "a flood of hints sends at most one request per minDelay",
    async () => {
      const source = new TestSource();
      const { client, clock, sentAt } = setup(
        [pending(), pending(), pending(), pending(), completed()],
        { webhooks: source, minDelay: 1000 },
      );
      for (let i = 0; i < 60; i++) {
        source.deliverIn(
          clock,
          100 * i,
          event("j1", "completed", { id: `f${i}`, verified: false }),
        );
      }
      await client.waitForJob("j1");
      source.close();
      assert.deepEqual(sentAt, [0, 1000, 2000, 3000, 4000]);
    },
  );
  await t.step(
    "a hint while a request is in flight asks again at minDelay",
    async () => {
      const source = new TestSource();
      const { client, clock, sentAt } = setup((clock) => [
        () => clock.sleep(500).then(() => pending()),
        completed(),
      ], { webhooks: source, minDelay: 1000 });
      source.deliverIn(
        clock,
        200,
        event("j1", "completed", { verified: false }),
      );
      await client.waitForJob("j1");
      assert.deepEqual(sentAt, [0, 1000]);
    },
  );
  await t.step(
    "a hint cannot hide the verified event of the same id",
    async () => {
      const source = new TestSource();
      const { client, clock } = setup([pending()], { webhooks: source });
      source.deliverIn(
        clock,
        100,
        event("j1", "pending", { id: "m1", verified: false }),
      );
      source.deliverIn(clock, 5000, event("j1", "completed", { id: "m1" }));
      const final = await client.waitForJob("j1");
      assert.equal(final.source, "webhook");
    },
  );
});

Deno.test("getStatus() and watch() without a job never listen", async () => {
  const source = new TestSource();
  const { client, sentAt } = setup([pending(), completed()], {
    webhooks: source,
  });
  assert.equal(await client.getStatus(), "completed");
  assert.equal(source.listens, 0);
  assert.deepEqual(sentAt, [0, 1000]);
});

Deno.test("watch(job) yields the webhook's final update and ends", async () => {
  const source = new TestSource();
  const { client, clock } = setup([pending()], { webhooks: source });
  source.deliverIn(clock, 700, event("j1", "completed"));
  const seen: string[] = [];
  for await (const update of client.watch("j1")) seen.push(update.source);
  assert.deepEqual(seen, ["poll", "webhook"]);
  assert.equal(source.listening, 0);
});

Deno.test("a job from createJob() listens under its id", async () => {
  const source = new TestSource();
  const { client, clock } = setup([
    json({ id: "created-7", result: "pending" }, { status: 201 }),
    pending(),
  ], { webhooks: source });
  const job = await client.createJob();
  source.deliverIn(clock, 10, event("created-7", "completed"));
  const final = await client.waitForJob(job);
  assert.equal(final.source, "webhook");
});

Deno.test("aborting a listening wait rejects with the reason and stops listening", async () => {
  const source = new TestSource();
  const { client, clock } = setup([pending()], { webhooks: source });
  const controller = new AbortController();
  const reason = new Error("stop");
  clock.sleep(30_000).then(() => controller.abort(reason));
  await assert.rejects(
    client.waitForJob("j1", { signal: controller.signal }),
    (error) => error === reason,
  );
  assert.equal(source.listening, 0);
  assert.equal(clock.timers, 0);
});

Deno.test("an exception of onUpdate on a webhook update ends the wait with it", async () => {
  const source = new TestSource();
  const boom = new Error("boom");
  const { client, clock, requests } = setup([pending()], {
    webhooks: source,
    onUpdate: (update) => {
      if (update.source === "webhook") throw boom;
    },
  });
  source.deliverIn(clock, 100, event("j1", "pending"));
  await assert.rejects(client.waitForJob("j1"), (error) => error === boom);
  assert.equal(requests.length, 1);
  assert.equal(source.listening, 0);
  assert.equal(clock.timers, 0);
});

Deno.test("bad webhook options are refused", () => {
  const clock = new FakeClock();
  const { fetch } = scriptedFetch([pending()]);
  assert.throws(
    () => new VideoStatusClient({ webhooks: {} as never }),
    {
      name: "TypeError",
      message:
        "Cannot create VideoStatusClient as 'webhooks' must have the methods listen(): current value is an object",
    },
  );
  assert.throws(
    () => new VideoStatusClient({ webhookSafetyDelay: -1 }),
    RangeError,
  );
  const client = new VideoStatusClient({ fetch, clock });
  return assert.rejects(
    client.waitForJob("j1", { webhooks: 5 as never }),
    {
      name: "TypeError",
      message:
        "Cannot wait as 'webhooks' must have the method listen(): current value is 5",
    },
  );
});
