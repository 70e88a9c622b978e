// The webhook receiver behind the runtime's own node:http (Node's, Bun's)
// through toNodeListener: a signed event is accepted and delivered, a forged
// one refused, a body over the cap refused while streaming. Runs under
// `node --test` and `bun test` from an installed copy of the package (see
// scripts/test_npm.ts).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import {
  createWebhookReceiver,
  signWebhook,
  toNodeListener,
} from "video-status-client";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("the webhook receiver under node:http", () => {
  const receiver = createWebhookReceiver({
    secret: SECRET,
    maxBodyBytes: 1024,
  });
  const events = [];
  receiver.listen("job-1", (event) => events.push(event));
  let server;
  let url;

  before(async () => {
    server = createServer(toNodeListener(receiver));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${server.address().port}/hooks`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const body = JSON.stringify({ id: "job-1", result: "completed" });
  const signed = () =>
    signWebhook(SECRET, {
      id: "msg_1",
      timestamp: Math.floor(Date.now() / 1000),
      body,
    });

  test("a signed event answers 204 and reaches the listener, once", async () => {
    const headers = await signed();
    const first = await fetch(url, { method: "POST", headers, body });
    assert.equal(first.status, 204);
    const again = await fetch(url, { method: "POST", headers, body });
    assert.equal(again.status, 200);
    await again.arrayBuffer();
    assert.deepEqual(events.map((event) => event.reading.result), [
      "completed",
    ]);
  });

  test("a forged event answers 401", async () => {
    const headers = await signed();
    const response = await fetch(url, { method: "POST", headers, body: "{}" });
    assert.equal(response.status, 401);
    assert.equal(await response.text(), "Refused: bad signature");
  });

  test("a body over maxBodyBytes answers 413", async () => {
    const headers = await signed();
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: "x".repeat(4096),
    });
    assert.equal(response.status, 413);
    await response.arrayBuffer();
  });
});
