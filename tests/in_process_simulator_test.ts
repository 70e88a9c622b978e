// How a consumer's test suite uses the simulator, msw-style: start it
// in-process, script each job's delay and outcome, and shut it down when the
// suite ends. The README's "Testing your app with the simulator" shows
// these snippets; the Node.js version is in tests/npm/client.test.mjs.

import assert from "node:assert/strict";
import { isHTTPError, VideoStatusClient } from "../mod.ts";
import { createSimulator, serve } from "../server.ts";

Deno.test("serve() runs the simulator in-process for a suite", async (t) => {
  const server = await serve({ port: 0, minDuration: 200, maxDuration: 200 });
  try {
    const client = new VideoStatusClient({
      serverUrl: server.url,
      initialDelay: 50,
    });

    await t.step("a job scripted to complete", async () => {
      const job = await client.createJob({
        duration: 300,
        outcome: "completed",
      });
      const final = await client.waitForJob(job, { timeout: 10_000 });
      assert.equal(final.result, "completed");
      assert.ok(final.elapsed >= 300, `elapsed ${final.elapsed} ms`);
    });

    await t.step("a job scripted to fail", async () => {
      const job = await client.createJob({ duration: 0, outcome: "error" });
      const final = await client.waitForJob(job, { timeout: 10_000 });
      assert.equal(final.result, "error");
    });

    await t.step("nothing is left held once the waits end", () => {
      assert.equal(server.simulator.stats().held, 0);
    });
  } finally {
    await server.shutdown();
  }
  await assert.rejects(fetch(`${server.url}/status`), TypeError);
});

Deno.test("`await using` shuts the simulator down at the end of a scope", async () => {
  let url: string;
  {
    await using server = await serve({ port: 0 });
    url = server.url;
    const client = new VideoStatusClient({ serverUrl: url });
    const job = await client.createJob({ duration: 0, outcome: "completed" });
    assert.equal((await client.waitForJob(job)).result, "completed");
  }
  await assert.rejects(fetch(`${url}/status`), TypeError);
});

Deno.test("createSimulator() answers the client's fetch without a socket", async (t) => {
  await using simulator = createSimulator({ seed: 1 });
  const client = new VideoStatusClient({
    serverUrl: "http://simulator.test",
    fetch: (input, init) => simulator.fetch(new Request(input, init)),
    initialDelay: 20,
  });

  await t.step("a scripted job", async () => {
    const job = await client.createJob({ duration: 100, outcome: "error" });
    assert.equal(job.url.startsWith("http://simulator.test/jobs/"), true);
    assert.equal((await client.waitForJob(job)).result, "error");
  });

  await t.step("an unknown job", async () => {
    await assert.rejects(
      client.waitForJob("no-such-job"),
      (error) => isHTTPError(error) && error.status === 404,
    );
  });
});
