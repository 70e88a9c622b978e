// Smoke test of the built npm package through `require`: the CommonJS build
// of the client waits on jobs from the CommonJS build of the simulator.
// Runs under `node --test` and `bun test` from an installed copy of the
// package (see scripts/test_npm.ts), never from the sources.
const { after, before, describe, test } = require("node:test");
const assert = require("node:assert/strict");
const { isHTTPError, VideoStatusClient } = require("video-status-client");
const { serve } = require("video-status-client/server");

describe("require('video-status-client')", () => {
  let server;
  let client;

  before(async () => {
    server = await serve({ port: 0 });
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
    const job = await client.createJob({ duration: 200, outcome: "completed" });
    const final = await client.waitForJob(job, { timeout: 10_000 });
    assert.equal(final.result, "completed");
  });

  test("waitForJob() resolves with a job scripted to fail", async () => {
    const job = await client.createJob({ duration: 0, outcome: "error" });
    const final = await client.waitForJob(job, { timeout: 10_000 });
    assert.equal(final.result, "error");
  });

  test("an unknown job rejects with an HTTPError", async () => {
    await assert.rejects(client.waitForJob("no-such-job"), (error) => {
      assert.ok(isHTTPError(error));
      assert.equal(error.status, 404);
      return true;
    });
  });
});
