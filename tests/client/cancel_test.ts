import assert from "node:assert/strict";
import {
  cancelRoute,
  type DialectName,
  isHTTPError,
  isNetworkError,
  isRequestTimeoutError,
  PRESETS,
} from "../../mod.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { seededRandom } from "../../util/random.ts";
import { setup } from "./_setup.ts";

/** The request each preset's cancel sends for the job `j 1` (null: none). */
const CANCELS: Record<DialectName, string | null> = {
  "video-status": "POST /jobs/j%201/cancel",
  "heygen-translate": null,
  "heygen-video": null,
  "replicate": "POST /v1/predictions/j%201/cancel",
  "google-operation": "POST /v1/operations/j%201:cancel",
  "azure-operation": null,
  "openai-video": null,
};

for (const [name, expected] of Object.entries(CANCELS)) {
  const dialect = name as DialectName;
  Deno.test(`cancel() in ${name} ${expected ?? "rejects naming the dialect"}`, async () => {
    const { client, requests } = setup([json({})], {
      dialect,
      serverUrl: "http://api.test/base",
      headers: { authorization: "Bearer k1" },
    });
    if (expected === null) {
      await assert.rejects(client.cancel("j 1"), {
        name: "TypeError",
        message: new RegExp(
          `^Cannot cancel a job as the dialect "${name}" has no 'cancelRequest'`,
        ),
      });
      assert.equal(requests.length, 0);
      return;
    }
    assert.equal(await client.cancel("j 1"), undefined);
    const [method, path] = expected.split(" ");
    assert.equal(requests.length, 1);
    assert.equal(requests[0].method, method);
    assert.equal(requests[0].url, `http://api.test/base${path}`);
    assert.equal(requests[0].headers.get("authorization"), "Bearer k1");
    assert.equal(await requests[0].text(), "");
  });
}

Deno.test("cancel() takes a job from createJob() by its id", async () => {
  const { client, requests } = setup([json({ id: "p9", status: "starting" })], {
    dialect: "replicate",
    serverUrl: "http://api.test",
  });
  const job = await client.createJob();
  await client.cancel(job);
  assert.equal(requests[1].url, "http://api.test/v1/predictions/p9/cancel");
});

Deno.test("cancel() rejects what is no job id, sending nothing", async () => {
  const { client, requests } = setup([json({})]);
  for (const job of ["", undefined, 42, { url: "http://x" }, { id: "" }]) {
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      client.cancel(job as any),
      { name: "TypeError", message: /must be a non-empty id or a job/ },
    );
  }
  assert.equal(requests.length, 0);
});

Deno.test("cancel() throws the server's refusal as an HTTPError, the key hidden", async () => {
  const { client, requests } = setup(
    [json({ detail: "no prediction k-secret" }, { status: 404 })],
    { dialect: "replicate", headers: { authorization: "k-secret" } },
  );
  const error = await client.cancel("p1").catch((error) => error);
  assert.ok(isHTTPError(error));
  assert.equal(error.status, 404);
  assert.ok(!error.message.includes("k-secret"), error.message);
  assert.equal(requests.length, 1, "a cancel is never retried");
});

Deno.test("cancel() fails as a network failure once, without retrying", async () => {
  const { client, requests } = setup([new TypeError("connection refused")]);
  const error = await client.cancel("a1").catch((error) => error);
  assert.ok(isNetworkError(error));
  assert.equal(requests.length, 1);
});

Deno.test("cancel() is bounded by requestTimeout", async () => {
  const { client } = setup([() => new Promise<Response>(() => {})], {
    requestTimeout: 2_000,
  });
  const canceled = client.cancel("a1").catch((error) => error);
  const error = await canceled;
  assert.ok(isRequestTimeoutError(error), String(error));
});

Deno.test("cancel() rejects with the abort reason", async () => {
  const { client, requests } = setup([json({})]);
  const reason = new Error("stop");
  await assert.rejects(
    client.cancel("a1", { signal: AbortSignal.abort(reason) }),
    (error) => error === reason,
  );
  assert.equal(requests.length, 0);
});

Deno.test("cancel() takes its place in the request budget", async () => {
  const { client, sentAt } = setup([json({ result: "pending" })], {
    maxRequestsPerSecond: 1,
  });
  await client.check("a1");
  await client.cancel("a1");
  assert.equal(sentAt.length, 2);
  assert.ok(sentAt[1] >= 1_000, `sent ${sentAt[1]} ms after the check`);
});

Deno.test("cancel() sends any id so that the dialect's route reads it back", async () => {
  const random = seededRandom(15);
  for (const name of ["video-status", "replicate", "google-operation"]) {
    const dialect = name as DialectName;
    const route = cancelRoute(PRESETS[dialect])!;
    for (let i = 0; i < 100; i++) {
      const id = randomId(random);
      const { client, requests } = setup([json({})], {
        dialect,
        serverUrl: "http://api.test",
      });
      await client.cancel(id);
      assert.equal(route.jobId(new URL(requests[0].url)), id, `${name} ${id}`);
    }
  }
});

function randomId(random: () => number): string {
  const chars = "ab1-_. /?#%:é";
  let id = "";
  const length = 1 + Math.floor(random() * 12);
  while (id.length < length) id += chars[Math.floor(random() * chars.length)];
  return id === "." || id === ".." ? `${id}x` : id;
}
