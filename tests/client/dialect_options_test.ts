// The `dialect` and `apiKey` options: names and objects, and the key in
// each preset's header, treated as a configured header.

import assert from "node:assert/strict";
import {
  defineDialect,
  type DialectName,
  HTTPError,
  PRESETS,
  VideoStatusClient,
} from "../../mod.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { setup } from "./_setup.ts";

const KEY = "sk-test-0123456789";

/** The header each preset's API takes its key in, from the vendors' references. */
const AUTH: Record<DialectName, [name: string, value: string] | undefined> = {
  "video-status": undefined,
  "heygen-translate": ["x-api-key", KEY],
  "heygen-video": ["x-api-key", KEY],
  "replicate": ["authorization", `Bearer ${KEY}`],
  "google-operation": ["authorization", `Bearer ${KEY}`],
  "azure-operation": ["authorization", `Bearer ${KEY}`],
  "openai-video": ["authorization", `Bearer ${KEY}`],
};

for (const name of Object.keys(PRESETS) as DialectName[]) {
  const auth = AUTH[name];
  Deno.test(`${name}: apiKey ${auth ? `goes in ${auth[0]}` : "is refused"}`, async () => {
    if (auth === undefined) {
      assert.throws(
        () => new VideoStatusClient({ dialect: name, apiKey: KEY }),
        {
          name: "TypeError",
          message: /'apiKey' needs a dialect .*"video-status" names none/,
        },
      );
      return;
    }
    const { client, requests } = setup([
      json({ error: `bad key ${KEY}` }, { status: 401 }),
    ], { dialect: name, apiKey: KEY });
    const error = await client.waitForJob("j1").catch((e) => e);
    assert.ok(error instanceof HTTPError);
    assert.equal(error.status, 401);
    assert.equal(requests.length, 1);
    assert.equal(requests[0].headers.get(auth[0]), auth[1]);
    // A configured header: hidden from what the client reports.
    assert.doesNotMatch(`${error.message} ${error.body}`, new RegExp(KEY));
  });
}

Deno.test("apiKey goes only where configured headers go", async () => {
  const { client, requests } = setup([
    new Response(null, {
      status: 302,
      headers: { location: "http://cdn.test/v1/predictions/p1" },
    }),
    json({ id: "p1", status: "succeeded" }),
  ], {
    dialect: "replicate",
    apiKey: KEY,
    allowedOrigins: ["http://cdn.test"],
  });
  await client.waitForJob("p1");
  assert.equal(requests[0].headers.get("authorization"), `Bearer ${KEY}`);
  assert.equal(requests[1].headers.get("authorization"), null);
});

Deno.test("the dialect option takes a preset's name or a dialect object, and refuses anything else", () => {
  const own = defineDialect({
    name: "own",
    jobPath: "/own/{id}",
    statusField: "s",
    pending: ["p"],
    completed: ["c"],
    error: ["e"],
  });
  assert.equal(new VideoStatusClient({ dialect: own }).dialect, own);
  assert.equal(
    new VideoStatusClient({ dialect: "replicate" }).dialect,
    PRESETS.replicate,
  );
  assert.throws(
    // @ts-expect-error: a name no preset has, as JavaScript callers may pass
    () => new VideoStatusClient({ dialect: "sora" }),
    { name: "TypeError", message: /'dialect' must be one of "video-status"/ },
  );
  assert.throws(
    // @ts-expect-error: an object that is not a dialect
    () => new VideoStatusClient({ dialect: { name: "x" } }),
    TypeError,
  );
  for (const apiKey of ["", 42]) {
    assert.throws(
      // @ts-expect-error: a key that is not a non-empty string
      () => new VideoStatusClient({ dialect: "replicate", apiKey }),
      { name: "TypeError", message: /'apiKey' must be a non-empty string/ },
    );
  }
  assert.throws(
    () => new VideoStatusClient({ dialect: "replicate", apiKey: "a\nb" }),
    { name: "TypeError", message: /'apiKey' must be a valid header value/ },
  );
});

Deno.test("a job id becomes the dialect's status URL, the base URL's path and query kept", async () => {
  const { client, requests } = setup([
    json({ code: 100, data: { status: "completed" } }),
  ], {
    dialect: "heygen-video",
    serverUrl: "http://api.test/base?tenant=7",
  });
  await client.waitForJob("v 1");
  assert.equal(
    requests[0].url,
    "http://api.test/base/v1/video_status.get?tenant=7&video_id=v+1",
  );
});
