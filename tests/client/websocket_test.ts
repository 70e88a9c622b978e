import assert from "node:assert/strict";
import {
  type CompletionObservation,
  NetworkError,
  ProtocolError,
  RequestError,
  RequestTimeoutError,
  type StatusUpdate,
  VideoStatusClient,
} from "../../mod.ts";
import { resolveOptions } from "../../client/settings.ts";
import type { Exchange, Transport } from "../../client/transport.ts";
import { WebSocketTransport } from "../../client/websocket.ts";
import {
  type FakeSocket,
  fakeWebSocket,
  sends,
  wsSetup,
} from "./_fake_websocket.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { completed, setup } from "./_setup.ts";
import { sendAll, serveWebSockets } from "./_websocket_server.ts";

const P = { result: "pending" };
const DONE = { result: "completed" };

Deno.test("websocket strategy reads each message into an update and ends at the final one", async () => {
  const { client, updates, requests, ws } = wsSetup([sends([P, P, DONE])], {
    serverUrl: "https://example.test/api",
  });
  const final = await client.waitForJob("j 1");
  assert.deepEqual(final.body, DONE);
  assert.deepEqual(updates.map((u) => [u.result, u.source, u.nextDelay]), [
    ["pending", "websocket", undefined],
    ["pending", "websocket", undefined],
    ["completed", "websocket", undefined],
  ]);
  assert.deepEqual(ws.sockets.map((s) => s.url), [
    "wss://example.test/api/jobs/j%201",
  ]);
  assert.equal(requests.length, 0);
  assert.ok(ws.sockets.every((s) => s.closed));
});

Deno.test("the final status resolves the wait exactly once, whatever follows it", async () => {
  const { client, updates, ws } = wsSetup([
    sends([P, DONE, DONE, { result: "error" }, P]),
  ]);
  const seen: string[] = [];
  for await (const update of client.watch()) seen.push(update.result);
  await ws.done;
  // The loop may miss a pending update a newer one replaced; never the final.
  assert.deepEqual(seen.filter((result) => result !== "pending"), [
    "completed",
  ]);
  assert.deepEqual(updates.map((u) => u.result), ["pending", "completed"]);
  assert.equal(ws.sockets.length, 1);
  assert.ok(ws.sockets[0].closed);
});

Deno.test("a socket that closes after a status is no failure: the wait reconnects after initialDelay", async () => {
  const { client, clock, retries, ws } = wsSetup(
    [sends([P]), sends([P]), sends([DONE])],
    { maxRetries: 0 },
  );
  const start = clock.now();
  assert.equal(await client.getStatus(), "completed");
  assert.equal(ws.sockets.length, 3);
  assert.equal(retries.length, 0);
  assert.equal(clock.now() - start, 2000);
});

Deno.test("an idle socket fails with a RequestTimeoutError and is retried", async () => {
  const { client, clock, retries, updates, ws } = wsSetup([
    sends([P], false),
    sends([DONE]),
  ], {
    requestTimeout: 1000,
    longPollWait: 1000,
  });
  const start = clock.now();
  assert.equal(await client.getStatus(), "completed");
  assert.equal(retries.length, 1);
  const { error } = retries[0];
  assert.ok(error instanceof RequestTimeoutError, String(error));
  assert.equal(error.timeout, 2000);
  assert.equal(error.url, "ws://127.0.0.1:5000/status");
  assert.deepEqual(updates.map((u) => u.attempt), [1, 2]);
  // Silent for 2000 ms after the pending status, then the first backoff delay.
  assert.equal(clock.now() - start, 3000);
  assert.ok(ws.sockets.every((s) => s.closed));
});

Deno.test("every message restarts the idle timer", async () => {
  const fixture = wsSetup([async (socket) => {
    socket.open();
    for (let i = 0; i < 5; i++) {
      await fixture.clock.sleep(1500);
      socket.send(P);
    }
    socket.send(DONE);
  }], { requestTimeout: 1000, longPollWait: 1000, maxRetries: 0 });
  const { client, ws } = fixture;
  assert.equal(await client.getStatus(), "completed");
  assert.equal(ws.sockets.length, 1);
});

Deno.test("a socket that never opens makes the wait fall back to polling", async (t) => {
  const cases: [string, ReturnType<typeof fakeWebSocket>][] = [
    ["refused upgrade", fakeWebSocket([(socket) => socket.fail()])],
    ["closed before open", fakeWebSocket([(socket) => socket.end()])],
    ["constructor throws", fakeWebSocket([])],
  ];
  for (const [name, ws] of cases) {
    await t.step(name, async () => {
      const { client, requests, retries, updates } = setup([completed()], {
        strategy: "websocket",
        webSocket: ws.webSocket,
      });
      assert.equal(await client.getStatus(), "completed");
      assert.equal(requests.length, 1);
      assert.equal(requests[0].headers.get("prefer"), "wait=30");
      assert.equal(updates[0].source, "poll");
      assert.equal(retries.length, 0);
      assert.ok(ws.sockets.every((s) => s.closed));
    });
  }
});

Deno.test("a runtime without WebSocket makes the wait poll", async () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "WebSocket")!;
  Reflect.deleteProperty(globalThis, "WebSocket");
  try {
    const { client, requests } = setup([completed()], {
      strategy: "websocket",
    });
    assert.equal(await client.getStatus(), "completed");
    assert.equal(requests.length, 1);
  } finally {
    Object.defineProperty(globalThis, "WebSocket", saved);
  }
});

Deno.test("a message that is not a readable status is a failure, retried on a new socket", async (t) => {
  const cases: [string, unknown, string][] = [
    ["not JSON", "not json", "Expected a JSON object"],
    ["binary", new ArrayBuffer(4), "Expected a text message"],
    [
      "over MAX_BODY_BYTES",
      JSON.stringify({ result: "pending", pad: "é".repeat(32 * 1024) }),
      "WebSocket message exceeded 65536 bytes",
    ],
  ];
  for (const [name, message, expected] of cases) {
    await t.step(name, async () => {
      const { client, retries, updates, ws } = wsSetup([
        sends([P, message], false),
        sends([DONE]),
      ]);
      assert.equal(await client.getStatus(), "completed");
      assert.deepEqual(updates.map((u) => u.result), ["pending", "completed"]);
      assert.equal(retries.length, 1);
      const { error } = retries[0];
      assert.ok(error instanceof ProtocolError, String(error));
      assert.ok(error.message.startsWith(expected), error.message);
      assert.ok(ws.sockets.every((s) => s.closed));
    });
  }
});

Deno.test("a message of exactly MAX_BODY_BYTES is read", async () => {
  const body = { result: "completed", pad: "" };
  const room = 64 * 1024 - JSON.stringify(body).length;
  // Two bytes per "é": one byte of room left over for an "x".
  body.pad = "é".repeat(Math.floor(room / 2)) + "x".repeat(room % 2);
  const { client } = wsSetup([sends([body])]);
  assert.equal(await client.getStatus(), "completed");
});

Deno.test("a socket that ends before a status, or without the closing handshake, is a failure", async (t) => {
  const cases = [
    ["closed before a status", sends([]), ProtocolError],
    ["closed abnormally after a status", (socket: FakeSocket) => {
      socket.open();
      socket.send(P);
      socket.fail();
    }, NetworkError],
  ] as const;
  for (const [name, script, errorClass] of cases) {
    await t.step(name, async () => {
      const { client, retries } = wsSetup([script, sends([DONE])]);
      assert.equal(await client.getStatus(), "completed");
      assert.equal(retries.length, 1);
      assert.ok(retries[0].error instanceof errorClass);
      assert.equal(retries[0].failures, 1);
    });
  }
});

Deno.test("an unknown result ends the wait with a ProtocolError, not retried", async () => {
  const { client, ws } = wsSetup([sends([{ result: "done" }], false)]);
  await assert.rejects(client.getStatus(), ProtocolError);
  assert.equal(ws.sockets.length, 1);
  assert.ok(ws.sockets[0].closed);
});

Deno.test("an onUpdate that throws ends the wait with that exception: no socket follows, no update twice", async (t) => {
  for (const where of ["client", "wait", "watch"] as const) {
    for (const throwAt of [1, 2, 3]) {
      await t.step(`${where} onUpdate, update ${throwAt}`, async () => {
        const thrown = new Error("callback failed");
        const delivered: string[] = [];
        const onUpdate = (update: StatusUpdate) => {
          delivered.push(update.result);
          if (delivered.length === throwAt) throw thrown;
        };
        // Two statuses on the first socket, then the final on the next.
        const { client, clock, ws } = wsSetup(
          [sends([P, P]), sends([DONE]), sends([DONE])],
          { onUpdate: where === "client" ? onUpdate : undefined },
        );
        const options = where === "client" ? {} : { onUpdate };
        const waiting = where === "watch"
          ? Array.fromAsync(client.watch("j", options))
          : client.waitForJob("j", options);
        await assert.rejects(waiting, (error) => error === thrown);
        await ws.done;
        assert.deepEqual(
          delivered,
          ["pending", "pending", "completed"].slice(0, throwAt),
        );
        assert.equal(ws.sockets.length, throwAt === 3 ? 2 : 1);
        assert.ok(ws.sockets.every((s) => s.closed));
        assert.equal(clock.timers, 0);
      });
    }
  }
});

Deno.test("an abort closes the socket and rejects with the reason unchanged", async () => {
  const controller = new AbortController();
  const reason = { why: "user left" };
  const { client, ws } = wsSetup([sends([P], false)]);
  const waiting = client.getStatus({
    signal: controller.signal,
    onUpdate: () => controller.abort(reason),
  });
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(ws.sockets.length, 1);
  assert.ok(ws.sockets[0].closed);
});

Deno.test("each connection takes its place in the request budget", async () => {
  const ws = fakeWebSocket([sends([P]), sends([P]), sends([DONE])]);
  const opened: number[] = [];
  const { client, clock } = setup([new TypeError("no request expected")], {
    strategy: "websocket",
    webSocket: class extends ws.webSocket {
      constructor(url: string) {
        opened.push(clock.now());
        super(url);
      }
    },
    initialDelay: 100,
    maxRequestsPerSecond: 1,
  });
  const start = clock.now();
  assert.equal(await client.getStatus(), "completed");
  // No second (a sliding window) holds two, where initialDelay alone would
  // reconnect after 100 ms.
  assert.deepEqual(opened.map((t) => t - start), [0, 1001, 2002]);
});

Deno.test("a socket's final status after a pending one teaches the schedule near-exact", async () => {
  const observed: CompletionObservation[] = [];
  const { client, clock } = wsSetup([async (socket) => {
    socket.open();
    for (const [wait, body] of [[1000, P], [2000, DONE]] as const) {
      await clock.sleep(wait);
      socket.send(body);
    }
  }], {
    schedule: { nextDelay: () => 1000, observe: (o) => observed.push(o) },
  }, [json({ id: "j", result: "pending" }, { status: 201 })]);
  await client.waitForJob(await client.createJob());
  assert.deepEqual(observed, [{
    after: 1000,
    atMost: 3000,
    wait: observed[0]?.wait,
    watchedFrom: 0,
  }]);
  // The wait is named the same in every call about it: its job's start and URL.
  assert.match(observed[0].wait ?? "", /^\d+ https?:\/\//);
});

Deno.test("the transport opens no socket to an origin the client may not reach", async () => {
  const ws = fakeWebSocket([sends([DONE])]);
  const transport = new WebSocketTransport(
    resolveOptions({ serverUrl: "http://api.test", webSocket: ws.webSocket }),
    (): Transport => assert.fail("no fallback"),
  );
  const exchange: Exchange = {
    url: "http://elsewhere.test/status",
    label: { method: "GET", url: "http://elsewhere.test/status" },
    signal: undefined,
    remaining: () => 60_000,
    sending: () => assert.fail("nothing is sent"),
    hear: () => assert.fail("nothing is heard"),
  };
  await assert.rejects(
    transport.exchange(exchange),
    (error) =>
      error instanceof RequestError &&
      /^Cannot open a WebSocket to http:\/\/elsewhere\.test\/status as its origin/
        .test(error.message),
  );
  assert.equal(ws.sockets.length, 0);
});

Deno.test("the webSocket option must be a class", () => {
  assert.throws(
    () =>
      new VideoStatusClient({
        webSocket: "ws" as unknown as typeof WebSocket,
      }),
    {
      name: "TypeError",
      message:
        "Cannot create VideoStatusClient as 'webSocket' must be a function: current value is \"ws\"",
    },
  );
});

// Over the wire: a real WebSocket server, the runtime's WebSocket.

const FAST = { initialDelay: 20, maxDelay: 20, minDelay: 10 };

Deno.test("over the wire: the server's messages end the wait, and a closed socket is reconnected", async () => {
  await using server = serveWebSockets([
    sendAll([P], true),
    sendAll([P, DONE], false),
  ]);
  const updates: StatusUpdate[] = [];
  const client = new VideoStatusClient({
    ...FAST,
    serverUrl: server.url,
    strategy: "websocket",
    maxRetries: 0,
    onUpdate: (update) => updates.push(update),
  });
  const final = await client.waitForJob("j1");
  assert.deepEqual(final.body, DONE);
  assert.deepEqual(updates.map((u) => [u.result, u.source, u.attempt]), [
    ["pending", "websocket", 1],
    ["pending", "websocket", 2],
    ["completed", "websocket", 2],
  ]);
  assert.deepEqual(server.requests, ["WS /jobs/j1", "WS /jobs/j1"]);
});

Deno.test("over the wire: a refused upgrade makes the wait poll", async (t) => {
  for (const status of [404, 405, 426]) {
    await t.step(String(status), async () => {
      await using server = serveWebSockets(
        [new Response(null, { status })],
        () => Response.json(DONE),
      );
      const client = new VideoStatusClient({
        ...FAST,
        statusUrl: `${server.url}/status`,
        strategy: "websocket",
      });
      assert.equal(await client.getStatus(), "completed");
      assert.deepEqual(server.requests, ["WS /status", "GET /status"]);
    });
  }
});

Deno.test("over the wire: a message past MAX_BODY_BYTES drops the socket as a failure, and an abort closes it", async () => {
  const big = JSON.stringify({ result: "pending", pad: "x".repeat(65_536) });
  await using server = serveWebSockets([
    sendAll([P, big], false),
    sendAll([P], false),
  ]);
  const controller = new AbortController();
  const reason = new Error("enough");
  const retries: unknown[] = [];
  const client = new VideoStatusClient({
    ...FAST,
    serverUrl: server.url,
    strategy: "websocket",
    onRetry: ({ error }) => retries.push(error),
  });
  let heard = 0;
  const waiting = client.getStatus({
    signal: controller.signal,
    onUpdate: () => {
      if (++heard === 2) controller.abort(reason);
    },
  });
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(retries.length, 1);
  assert.ok(retries[0] instanceof ProtocolError, String(retries[0]));
  assert.match(retries[0].message, /^WebSocket message exceeded 65536 bytes/);
  assert.deepEqual(server.requests, ["WS /status", "WS /status"]);
});
