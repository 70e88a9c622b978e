// Remote cancel end to end: a client waits on a job of the simulator over
// HTTP, another call cancels the job, and the wait ends at once with the
// canceled status, in each dialect whose API can cancel. Aborting a wait,
// by contrast, leaves the job running.

import assert from "node:assert/strict";
import {
  delay,
  type DialectName,
  PRESETS,
  type StatusUpdate,
  VideoStatusClient,
} from "../mod.ts";
import { serve } from "../server.ts";

const WORDS: Partial<Record<DialectName, string>> = {
  "video-status": "error",
  "replicate": "canceled",
  "google-operation": "cancelled",
};

for (const [name, word] of Object.entries(WORDS)) {
  const dialect = name as DialectName;
  Deno.test(`${name}: a waiting client sees the job it canceled end as error`, async () => {
    await using server = await serve({ port: 0, dialect });
    const client = new VideoStatusClient({
      serverUrl: server.url,
      dialect,
      // A long-poll held by the server, which the cancel must release.
      strategy: "long-poll",
      longPollWait: 30_000,
    });
    // Created with the simulator's own `POST /jobs` (Google's API has no create).
    const created = await fetch(`${server.url}/jobs`, {
      method: "POST",
      body: JSON.stringify({ duration: 600 }),
    });
    const id = PRESETS[dialect].idOf(await created.json())!;
    const start = performance.now();
    const updates: StatusUpdate[] = [];
    const waiting = client.waitForJob(id, {
      timeout: 60_000,
      onUpdate: (update) => updates.push(update),
    });
    // The first request is held by the server until the job changes.
    while (server.simulator.stats().held === 0) await delay(5);
    await client.cancel(id);
    const final = await waiting;
    assert.equal(final.result, "error");
    assert.equal(final.status, word);
    if (dialect === "video-status") assert.equal(final.error, "canceled");
    else assert.equal(final.error, "Canceled by request");
    assert.ok(performance.now() - start < 20_000, "ended by the cancel");
    assert.equal(updates.length, 1, "the held request brought the end");
    assert.equal(server.simulator.stats().held, 0);
  });
}

Deno.test("aborting a wait stops the waiting only: the job runs on until canceled", async () => {
  await using server = await serve({ port: 0 });
  const client = new VideoStatusClient({
    serverUrl: server.url,
    strategy: "poll",
  });
  const job = await client.createJob({ duration: 600_000 });
  const controller = new AbortController();
  const waiting = client.waitForJob(job, {
    signal: controller.signal,
    onUpdate: () => controller.abort(new Error("enough")),
  });
  await assert.rejects(waiting, { message: "enough" });
  assert.equal((await client.check(job)).result, "pending");
  await client.cancel(job);
  const after = await client.check(job);
  assert.equal(after.result, "error");
  assert.equal(after.error, "canceled");
});
