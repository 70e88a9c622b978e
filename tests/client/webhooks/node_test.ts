import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { toNodeListener } from "../../../client/webhooks/node.ts";
import {
  createWebhookReceiver,
  type WebhookEvent,
} from "../../../client/webhooks/receiver.ts";
import { signWebhook } from "../../../protocol/webhook_signature.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async function serve(
  handler: Parameters<typeof toNodeListener>[0],
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks?x=1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

Deno.test("toNodeListener() serves the receiver under node:http: 204, 401, 405, 413", async () => {
  const receiver = createWebhookReceiver({
    secret: SECRET,
    maxBodyBytes: 1024,
  });
  const events: WebhookEvent[] = [];
  receiver.listen("job-1", (event) => events.push(event));
  const { url, close } = await serve(receiver);
  try {
    const body = JSON.stringify({ id: "job-1", result: "completed" });
    const headers = await signWebhook(SECRET, {
      id: "msg_1",
      timestamp: Math.floor(Date.now() / 1000),
      body,
    });
    const post = (init: RequestInit) => fetch(url, { method: "POST", ...init });

    const accepted = await post({ headers, body });
    assert.equal(accepted.status, 204);
    await accepted.body?.cancel();
    assert.deepEqual(events.map((event) => event.jobId), ["job-1"]);

    const forged = await post({ headers, body: body + " " });
    assert.equal(forged.status, 401);
    assert.equal(await forged.text(), "Refused: bad signature");

    const get = await fetch(url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    await get.body?.cancel();

    // A streamed (chunked) body larger than the cap.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(512));
        controller.close();
      },
    });
    const large = await post({ headers, body: chunks });
    assert.equal(large.status, 413);
    await large.body?.cancel();
    assert.equal(events.length, 1);
  } finally {
    await close();
  }
});

Deno.test("toNodeListener() answers 500 when the handler throws", async () => {
  const { url, close } = await serve({
    fetch: () => Promise.reject(new Error("handler failed")),
  });
  try {
    const response = await fetch(url, { method: "POST", body: "{}" });
    assert.equal(response.status, 500);
    await response.body?.cancel();
  } finally {
    await close();
  }
});

Deno.test("toNodeListener() passes method, URL, repeated headers and string chunks", async () => {
  let seen: Request | undefined;
  const listener = toNodeListener({
    fetch: (request) => {
      seen = request;
      return Promise.resolve(new Response("ok", { headers: { "x-a": "1" } }));
    },
  });
  const sent: Record<string, string> = {};
  const done = Promise.withResolvers<string | undefined>();
  listener(
    {
      method: "POST",
      url: "/hooks?q=1",
      headers: {
        host: "example.test",
        "x-list": ["a", "b"],
        skipped: undefined,
      },
      async *[Symbol.asyncIterator]() {
        yield "{";
        yield new TextEncoder().encode("}");
      },
    },
    {
      statusCode: 0,
      setHeader: (name, value) => sent[name] = value,
      end: (body) => done.resolve(body),
    },
  );
  assert.equal(await done.promise, "ok");
  assert.equal(seen?.url, "http://example.test/hooks?q=1");
  assert.equal(seen?.headers.get("x-list"), "a, b");
  assert.equal(await seen?.text(), "{}");
  assert.equal(sent["x-a"], "1");
});
