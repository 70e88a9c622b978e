// The runtime's own fetch (Node's undici, Bun's) under the client's redirect
// handling: a status URL that redirects to another origin never hands that
// origin the API key, a same-origin redirect is followed, and a file:
// Location is never read. Runs under `node --test` and `bun test` from an
// installed copy of the package (see scripts/test_npm.ts).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { RequestError, VideoStatusClient } from "video-status-client";

const KEY = "k3y-of-the-user";

/** A server on a free loopback port; returns its origin and a closer. */
async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("redirects with the runtime's fetch", () => {
  const seenByOther = [];
  let other;
  let api;

  before(async () => {
    other = await listen((request, response) => {
      seenByOther.push(request.headers);
      response.setHeader("content-type", "application/json");
      response.end('{"result":"completed"}');
    });
    api = await listen((request, response) => {
      const locations = {
        "/away/status": `${other.origin}/status`,
        "/file/status": "file:///etc/passwd",
        "/same/status": "/final",
      };
      const location = locations[request.url];
      if (location !== undefined) {
        response.writeHead(302, { location }).end();
        return;
      }
      response.setHeader("content-type", "application/json");
      const ok = request.url === "/final" &&
        request.headers["x-api-key"] === KEY;
      response.end(JSON.stringify({ result: ok ? "completed" : "error" }));
    });
  });

  after(async () => {
    await Promise.all([other.close(), api.close()]);
  });

  const client = (path, options = {}) =>
    new VideoStatusClient({
      serverUrl: `${api.origin}/${path}`,
      headers: { "x-api-key": KEY },
      strategy: "poll",
      ...options,
    });

  test("another origin is refused and never gets the key", async () => {
    await assert.rejects(client("away").getStatus(), RequestError);
    assert.equal(seenByOther.length, 0);
    const allowed = client("away", { allowedOrigins: [other.origin] });
    assert.equal(await allowed.getStatus(), "completed");
    assert.equal(seenByOther.length, 1);
    assert.equal(seenByOther[0]["x-api-key"], undefined);
  });

  test("a same-origin redirect is followed with the key", async () => {
    assert.equal(await client("same").getStatus(), "completed");
  });

  test("a file: Location is refused", async () => {
    await assert.rejects(client("file").getStatus(), /scheme is file:/);
  });
});
