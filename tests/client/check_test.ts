// check(): one request, the current update, no waiting and no retry.

import assert from "node:assert/strict";
import {
  HTTPError,
  NetworkError,
  ProtocolError,
  RequestTimeoutError,
} from "../../mod.ts";
import { hang, json } from "../../testing/scripted_fetch.ts";
import { pending, setup } from "./_setup.ts";

Deno.test("check() sends one request and returns the update, pending or final", async () => {
  const { client, requests, updates, clock } = setup([
    json({ status: "in_progress", progress: 42 }),
    json({ status: "completed", progress: 100, id: "v1" }),
  ], { dialect: "openai-video" });
  const start = clock.now();
  const first = await client.check("v1");
  assert.equal(clock.now(), start);
  assert.equal(requests.length, 1);
  assert.equal(requests[0].url, "http://127.0.0.1:5000/v1/videos/v1");
  assert.equal(requests[0].headers.get("prefer"), null);
  assert.deepEqual(
    [first.result, first.status, first.progress, first.attempt, first.source],
    ["pending", "in_progress", 0.42, 1, "poll"],
  );
  assert.equal(first.nextDelay, undefined);
  const second = await client.check("v1");
  assert.deepEqual([second.result, second.status], ["completed", "completed"]);
  assert.equal(requests.length, 2);
  // check() is not a wait: the client's onUpdate hears nothing.
  assert.equal(updates.length, 0);
});

Deno.test("check() without a job asks statusUrl, and measures elapsed from a job's creation", async () => {
  const { client, requests, clock } = setup([
    pending(),
    json({ id: "j1", result: "pending" }, { status: 201 }),
    pending(),
  ]);
  await client.check();
  assert.equal(requests[0].url, "http://127.0.0.1:5000/status");
  const job = await client.createJob();
  await clock.sleep(1500);
  const update = await client.check(job);
  assert.equal(update.elapsed, 1500);
  assert.equal(requests.at(-1)?.url, "http://127.0.0.1:5000/jobs/j1");
});

Deno.test("check() throws what one failed request throws, without retrying", async (t) => {
  const cases = [
    ["a 503", json({}, { status: 503 }), HTTPError],
    ["an unreadable body", new Response("<html>"), ProtocolError],
    ["an unknown word", json({ result: "done" }), ProtocolError],
    ["no answer", new TypeError("connection refused"), NetworkError],
    ["silence", hang, RequestTimeoutError],
  ] as const;
  for (const [name, step, ErrorClass] of cases) {
    await t.step(name, async () => {
      const { client, requests, retries } = setup([step, pending()], {
        requestTimeout: 2000,
      });
      await assert.rejects(client.check("j"), ErrorClass);
      assert.equal(requests.length, 1);
      assert.equal(retries.length, 0);
    });
  }
});

Deno.test("check() takes its place in the request budget and honours its signal", async () => {
  const { client, sentAt } = setup([pending()], { maxRequestsPerSecond: 1 });
  await Promise.all([client.check("a"), client.check("b")]);
  assert.equal(sentAt[0], 0);
  assert.ok(sentAt[1] >= 1000, `second check at ${sentAt[1]} ms`);
  const reason = new Error("stop");
  const aborted = client.check("c", { signal: AbortSignal.abort(reason) });
  await assert.rejects(aborted, (error) => error === reason);
  const controller = new AbortController();
  const { client: silent } = setup([hang]);
  const asking = silent.check("d", { signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(asking, (error) => error === reason);
});
