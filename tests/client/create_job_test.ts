// createJob() in a dialect: its create path, its id, its Location header,
// and a create the server holds until the job ends.

import assert from "node:assert/strict";
import { AZURE_OPERATION, RequestTimeoutError } from "../../mod.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { setup } from "./_setup.ts";

const VIDEO_URL = "https://cdn.test/p1.mp4";

Deno.test("replicate: a held create that is already final needs no poll", async () => {
  const { client, requests, updates } = setup([
    json(
      { id: "p1", status: "succeeded", output: VIDEO_URL, error: null },
      { status: 201, headers: { "preference-applied": "wait=30" } },
    ),
  ], { dialect: "replicate", apiKey: "r8_secret" });
  const job = await client.createJob({ duration: 1000 });
  assert.equal(requests[0].url, "http://127.0.0.1:5000/v1/predictions");
  assert.equal(requests[0].headers.get("prefer"), "wait=30");
  assert.equal(requests[0].headers.get("authorization"), "Bearer r8_secret");
  assert.equal(job.url, "http://127.0.0.1:5000/v1/predictions/p1");
  assert.deepEqual([job.result, job.status], ["completed", "succeeded"]);
  const final = await client.waitForJob(job);
  assert.equal(requests.length, 1);
  assert.deepEqual(
    [final.result, final.status, final.payload, final.source, final.attempt],
    ["completed", "succeeded", VIDEO_URL, "long-poll", 0],
  );
  assert.deepEqual(updates, [final]);
  const watched = [];
  for await (const update of client.watch(job)) watched.push(update);
  assert.deepEqual(watched, [final]);
  assert.equal(requests.length, 1);
});

Deno.test("replicate: a held create gets the hold on top of requestTimeout", async () => {
  const answer = (clock: { sleep(ms: number): Promise<void> }) => async () => {
    await clock.sleep(25_000);
    return json({ id: "p1", status: "processing" }, { status: 201 });
  };
  const held = setup((clock) => [answer(clock)], {
    dialect: "replicate",
    requestTimeout: 10_000,
    longPollWait: 20_000,
  });
  const job = await held.client.createJob();
  assert.equal(held.requests[0].headers.get("prefer"), "wait=20");
  assert.equal(job.final, undefined);
  assert.equal(job.status, "processing");
  const plain = setup((clock) => [answer(clock)], { requestTimeout: 10_000 });
  await assert.rejects(plain.client.createJob(), RequestTimeoutError);
  assert.equal(plain.requests[0].headers.get("prefer"), null);
});

Deno.test("azure-operation: the job's URL is its Operation-Location, even with an empty answer", async () => {
  const dialect = { ...AZURE_OPERATION, createPath: "/jobs" };
  const { client, requests } = setup([
    new Response(null, {
      status: 202,
      headers: {
        "operation-location": "/operations/op1?api-version=2024-01-01",
        location: "/elsewhere/op2",
      },
    }),
    json({ id: "op1", status: "Succeeded", result: VIDEO_URL }),
  ], { dialect });
  const job = await client.createJob();
  assert.deepEqual([job.id, job.result, job.status], [
    "op1",
    "pending",
    undefined,
  ]);
  assert.equal(
    job.url,
    "http://127.0.0.1:5000/operations/op1?api-version=2024-01-01",
  );
  const final = await client.waitForJob(job);
  assert.equal(requests[1].url, job.url);
  assert.equal(final.payload, VIDEO_URL);
});

Deno.test("a create answer that names no job is a ProtocolError", async () => {
  const { client } = setup([json({ status: "NotStarted" }, { status: 202 })], {
    dialect: { ...AZURE_OPERATION, createPath: "/jobs" },
  });
  await assert.rejects(client.createJob(), {
    name: "ProtocolError",
    message: /^Expected a job with an id the dialect "azure-operation" reads/,
  });
});

Deno.test("the id comes from the Location when the body does not name it", async () => {
  const { client } = setup([
    json({ data: { status: "running" } }, {
      headers: { location: "/v2/video_translate/t%201" },
    }),
  ], { dialect: "heygen-translate" });
  const job = await client.createJob();
  assert.equal(job.id, "t 1");
  assert.equal(job.status, "running");
});

Deno.test("heygen-translate: a create answer with only the id is a pending job at the dialect's status path", async () => {
  const { client, requests } = setup([
    json({ error: null, data: { video_translate_id: "t1" } }),
  ], { dialect: "heygen-translate", serverUrl: "http://api.test/" });
  const job = await client.createJob();
  assert.equal(requests[0].url, "http://api.test/v2/video_translate");
  assert.deepEqual(
    [job.id, job.url, job.result, job.status],
    ["t1", "http://api.test/v2/video_translate/t1", "pending", undefined],
  );
});

Deno.test("a dialect without a create path makes createJob() reject with a TypeError naming it", async () => {
  const { client, requests } = setup([json({})], {
    dialect: "azure-operation",
  });
  await assert.rejects(client.createJob(), {
    name: "TypeError",
    message: /dialect "azure-operation" has no 'createPath'/,
  });
  assert.equal(requests.length, 0);
});

Deno.test("an unknown word in the create answer is a ProtocolError naming it", async () => {
  const { client } = setup([
    json({ id: "p1", status: "paused" }, { status: 201 }),
  ], { dialect: "replicate" });
  await assert.rejects(client.createJob(), {
    name: "ProtocolError",
    message: /^Unknown status "paused": POST/,
  });
});

Deno.test("createJob() sends callbackUrl as callback_url, and refuses one that cannot be called", async () => {
  const { client, requests } = setup([
    json({ id: "j1", result: "pending" }, { status: 201 }),
  ]);
  await client.createJob({
    duration: 2000,
    callbackUrl: new URL("http://127.0.0.1:8080/hooks"),
  });
  assert.deepEqual(await requests[0].json(), {
    duration: 2,
    callback_url: "http://127.0.0.1:8080/hooks",
  });
  for (const bad of ["/hooks", "ftp://host/hooks", "http://u:p@host/"]) {
    await assert.rejects(
      client.createJob({ callbackUrl: bad }),
      (error) =>
        error instanceof TypeError && /'callbackUrl'/.test(error.message),
      bad,
    );
  }
  assert.equal(requests.length, 1);
});
