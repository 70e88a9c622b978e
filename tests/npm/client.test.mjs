// Smoke test of the built npm package through `import`, the way a consumer's
// test suite uses it: the simulator runs in-process for the suite, each test
// scripts a job's duration and outcome, and the suite shuts it down at the end.
// Runs under `node --test` and `bun test` from an installed copy of the
// package (see scripts/test_npm.ts), never from the sources.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  HTTPError,
  isTimeoutError,
  VideoStatusClient,
  VideoStatusError,
} from "video-status-client";
import { createSimulator, serve } from "video-status-client/server";
import { FakeClock, json, scriptedFetch } from "video-status-client/testing";

describe("a simulator served in-process", () => {
  let server;
  let client;

  before(async () => {
    server = await serve({
      port: 0,
      minDuration: 200,
      maxDuration: 200,
      errorRate: 0,
    });
    client = new VideoStatusClient({
      serverUrl: server.url,
      initialDelay: 50,
      maxDelay: 200,
    });
  });

  after(async () => {
    await server.shutdown();
  });

  test("waitForJob() resolves with a job scripted to complete", async () => {
    const job = await client.createJob({ duration: 300, outcome: "completed" });
    assert.equal(job.result, "pending");
    const final = await client.waitForJob(job, { timeout: 10_000 });
    assert.equal(final.result, "completed");
    assert.equal(final.body.result, "completed");
    assert.ok(final.elapsed >= 250, `elapsed ${final.elapsed} ms`);
  });

  test("waitForJob() resolves with a job scripted to fail", async () => {
    const job = await client.createJob({ duration: 100, outcome: "error" });
    const final = await client.waitForJob(job, { timeout: 10_000 });
    assert.equal(final.result, "error");
  });

  test("strategy websocket ends the wait in every runtime, pushed or polled", async () => {
    const pushing = new VideoStatusClient({
      serverUrl: server.url,
      strategy: "websocket",
      initialDelay: 50,
    });
    const job = await pushing.createJob({ duration: 100 });
    const final = await pushing.waitForJob(job, { timeout: 10_000 });
    assert.equal(final.result, "completed");
    // Without a WebSocket (Node 20) the wait polls; elsewhere a socket is
    // tried first, and the wait polls where the server has no push.
    if (typeof globalThis.WebSocket !== "function") {
      assert.equal(final.source, "long-poll");
    }
  });

  test("getStatus() waits for the server's own job", async () => {
    assert.equal(await client.getStatus({ timeout: 10_000 }), "completed");
  });

  test("an unknown job rejects with an HTTPError", async () => {
    await assert.rejects(client.waitForJob("no-such-job"), (error) => {
      assert.ok(error instanceof HTTPError);
      assert.equal(error.status, 404);
      return true;
    });
  });

  test("a wait shorter than the job rejects with a TimeoutError", async () => {
    const job = await client.createJob({ duration: 5_000 });
    await assert.rejects(client.waitForJob(job, { timeout: 200 }), (error) => {
      assert.ok(isTimeoutError(error));
      assert.ok(error instanceof VideoStatusError);
      assert.equal(error.name, "TimeoutError");
      assert.equal(error.method, "GET");
      assert.equal(error.url, job.url);
      return true;
    });
  });
});

describe("a simulator without a socket", () => {
  test("the client waits through the simulator as its fetch", async () => {
    const simulator = createSimulator({ seed: 1 });
    try {
      const client = new VideoStatusClient({
        serverUrl: "http://simulator.test",
        fetch: (input, init) => simulator.fetch(new Request(input, init)),
        initialDelay: 20,
      });
      const job = await client.createJob({ duration: 100, outcome: "error" });
      assert.match(job.url, /^http:\/\/simulator\.test\/jobs\//);
      const final = await client.waitForJob(job, { timeout: 5_000 });
      assert.equal(final.result, "error");
    } finally {
      await simulator.close();
    }
  });
});

describe("a dialect", () => {
  test("a preset reads its API's words, progress and payload", async () => {
    const { fetch, requests } = scriptedFetch([
      json({ id: "v1", status: "in_progress", progress: 30 }),
      json({ id: "v1", status: "failed", error: { message: "too long" } }),
    ]);
    const client = new VideoStatusClient({
      dialect: "openai-video",
      apiKey: "sk-node-key",
      fetch,
      clock: new FakeClock(),
    });
    const first = await client.check("v1");
    assert.equal(first.progress, 0.3);
    const final = await client.waitForJob("v1");
    assert.equal(requests[0].url, "http://127.0.0.1:5000/v1/videos/v1");
    assert.equal(
      requests[0].headers.get("authorization"),
      "Bearer sk-node-key",
    );
    assert.deepEqual([final.result, final.status, final.error], [
      "error",
      "failed",
      "too long",
    ]);
  });
});
