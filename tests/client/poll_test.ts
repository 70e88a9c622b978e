import assert from "node:assert/strict";
import {
  HTTPError,
  ProtocolError,
  RequestTimeoutError,
  RetryError,
  VideoStatusClient,
} from "../../mod.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { hang, json, scriptedFetch } from "../../testing/scripted_fetch.ts";
import { completed, pending, setup } from "./_setup.ts";

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
      assert.match(error.message, / \(server said: nope\)$/);
      assert.doesNotMatch(error.message, /top-secret/);
      assert.equal(requests.length, 1);
    });
  }
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
