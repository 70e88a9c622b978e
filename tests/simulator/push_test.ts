// WebSocket push over real sockets, against both adapters (the Deno one on
// Deno.listen, the Node.js one on node:http), with Deno's own WebSocket as
// the client. Time bounds are generous; the durations under test are short.

import assert from "node:assert/strict";
import { VideoStatusClient } from "../../client.ts";
import { createSimulator, serve, type SimulatorOptions } from "../../server.ts";
import { listenDeno } from "../../simulator/adapters/deno.ts";
import {
  CONNECTION_DEFAULTS,
  type Listener,
} from "../../simulator/adapters/listener.ts";
import { listenNode } from "../../simulator/adapters/node.ts";
import type { Simulator } from "../../simulator/simulator.ts";
import { connect, exchange } from "./_raw_http.ts";

interface Server extends AsyncDisposable {
  readonly port: number;
  readonly http: string;
  readonly ws: string;
  readonly simulator: Simulator;
  shutdown(): Promise<void>;
}

const ADAPTERS = {
  deno: listenDeno,
  node: listenNode,
} as const;

async function start(
  adapter: keyof typeof ADAPTERS,
  options: SimulatorOptions = {},
): Promise<Server> {
  const simulator = createSimulator({ errorRate: 0, ...options });
  const listener: Listener = await ADAPTERS[adapter](
    (request, info) => simulator.fetch(request, info),
    { port: 0, hostname: "127.0.0.1", ...CONNECTION_DEFAULTS },
    simulator.upgrade,
  );
  const shutdown = async (): Promise<void> => {
    await simulator.close();
    await listener.close();
  };
  return {
    port: listener.port,
    http: `http://127.0.0.1:${listener.port}`,
    ws: `ws://127.0.0.1:${listener.port}`,
    simulator,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

/** A WebSocket and what it received: its messages, and its close once it comes. */
function open(url: string): {
  socket: WebSocket;
  messages: unknown[];
  next(): Promise<unknown>;
  closed: Promise<CloseEvent>;
} {
  const socket = new WebSocket(url);
  const messages: unknown[] = [];
  let waiting: (() => void) | undefined;
  socket.onmessage = (event) => {
    messages.push(JSON.parse(event.data));
    waiting?.();
  };
  const closed = new Promise<CloseEvent>((resolve) => {
    socket.onclose = (event) => {
      waiting?.();
      resolve(event);
    };
  });
  let read = 0;
  return {
    socket,
    messages,
    async next(): Promise<unknown> {
      while (messages.length <= read) {
        if (socket.readyState === WebSocket.CLOSED) {
          throw new Error("closed before the next message");
        }
        await new Promise<void>((resolve) => waiting = resolve);
      }
      return messages[read++];
    },
    closed,
  };
}

async function createJob(
  server: Server,
  duration: number,
  outcome = "completed",
): Promise<string> {
  const created = await fetch(`${server.http}/jobs`, {
    method: "POST",
    body: JSON.stringify({ duration, outcome }),
  });
  await created.body?.cancel();
  return created.headers.get("location")!;
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000 && !check(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(check(), `timed out waiting for ${what}`);
}

const UPGRADE_HEAD = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n` +
  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
  "Sec-WebSocket-Version: 13\r\n\r\n";

for (const adapter of ["deno", "node"] as const) {
  Deno.test(`${adapter} adapter: a WebSocket gets the status at once, the final one when it comes, then close 1000`, async () => {
    await using server = await start(adapter);
    const path = await createJob(server, 0.3);
    const id = path.split("/").pop();
    const ws = open(`${server.ws}${path}`);
    assert.deepEqual(await ws.next(), { id, result: "pending" });
    assert.equal(server.simulator.stats().held, 1);
    assert.deepEqual(await ws.next(), { id, result: "completed" });
    const close = await ws.closed;
    assert.equal(close.code, 1000);
    assert.ok(close.wasClean);
    await waitFor(() => server.simulator.stats().held === 0, "the release");
  });

  Deno.test(`${adapter} adapter: / and /status push the default job; a final job gets one message`, async () => {
    await using server = await start(adapter, {
      minDuration: 0,
      maxDuration: 0,
    });
    for (const path of ["/", "/status"]) {
      const ws = open(`${server.ws}${path}`);
      assert.deepEqual(await ws.next(), { result: "completed" });
      assert.equal((await ws.closed).code, 1000);
      assert.equal(ws.messages.length, 1);
    }
  });

  Deno.test(`${adapter} adapter: a pending job's status is sent again every heartbeatInterval`, async () => {
    await using server = await start(adapter, {
      minDuration: 60_000,
      maxDuration: 60_000,
      heartbeatInterval: 20,
    });
    const ws = open(`${server.ws}/status`);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await ws.next(), { result: "pending" });
    }
    ws.socket.close();
    await ws.closed;
  });

  Deno.test(`${adapter} adapter: an unknown job, an event path and a legacy simulator answer 404 without upgrading`, async () => {
    {
      await using server = await start(adapter);
      for (const path of ["/jobs/nope", "/status/events", "/nowhere"]) {
        const answer = await exchange(server.port, UPGRADE_HEAD(path));
        assert.equal(answer.status, 404, path);
      }
      assert.equal(server.simulator.stats().held, 0);
    }
    await using legacy = await start(adapter, { legacy: true });
    const answer = await exchange(legacy.port, UPGRADE_HEAD("/status"));
    assert.equal(answer.status, 404);
  });

  Deno.test(`${adapter} adapter: an upgrade to another protocol gets the plain answer`, async () => {
    await using server = await start(adapter, {
      minDuration: 60_000,
      maxDuration: 60_000,
    });
    const answer = await exchange(
      server.port,
      "GET /status HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, close\r\n\r\n",
    );
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { result: "pending" });
  });

  Deno.test(`${adapter} adapter: a bad handshake is refused with 400 or 426`, async () => {
    await using server = await start(adapter);
    const bad = UPGRADE_HEAD("/status").replace("13", "8");
    const answer = await exchange(server.port, bad);
    assert.equal(answer.status, 426);
    assert.equal(answer.headers.get("sec-websocket-version"), "13");
  });

  Deno.test(`${adapter} adapter: a client that leaves releases its hold at once`, async () => {
    await using server = await start(adapter, {
      minDuration: 60_000,
      maxDuration: 60_000,
    });
    const ws = open(`${server.ws}/status`);
    await ws.next();
    assert.equal(server.simulator.stats().held, 1);
    ws.socket.close();
    assert.ok((await ws.closed).wasClean);
    await waitFor(() => server.simulator.stats().held === 0, "the release");
    assert.equal(server.simulator.stats().scheduled, 0);
    // One that drops the connection without a closing handshake.
    const conn = await connect(server.port);
    await conn.write(new TextEncoder().encode(UPGRADE_HEAD("/status")));
    const buffer = new Uint8Array(1_024);
    let text = "";
    while (!text.includes('{"result":"pending"}')) {
      const n = await conn.read(buffer);
      assert.notEqual(n, null, "closed before the first message");
      text += new TextDecoder().decode(buffer.subarray(0, n!));
    }
    assert.match(text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(text, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
    assert.equal(server.simulator.stats().held, 1);
    conn.close();
    await waitFor(() => server.simulator.stats().held === 0, "the release");
  });

  Deno.test(`${adapter} adapter: maxHeld counts WebSockets with long-polls`, async () => {
    await using server = await start(adapter, {
      minDuration: 60_000,
      maxDuration: 60_000,
      maxHeld: 1,
    });
    const ws = open(`${server.ws}/status`);
    await ws.next();
    const answer = await exchange(server.port, UPGRADE_HEAD("/status"));
    assert.equal(answer.status, 503);
    const poll = await fetch(`${server.http}/status`, {
      headers: { Prefer: "wait=5" },
    });
    assert.equal(poll.status, 503);
    await poll.body?.cancel();
    ws.socket.close();
    await ws.closed;
  });

  Deno.test(`${adapter} adapter: shutdown closes each WebSocket with 1001 within the grace`, async () => {
    const server = await start(adapter, {
      minDuration: 60_000,
      maxDuration: 60_000,
    });
    const sockets = [open(`${server.ws}/status`), open(`${server.ws}/`)];
    for (const ws of sockets) await ws.next();
    assert.equal(server.simulator.stats().held, 2);
    const started = performance.now();
    await server.shutdown();
    assert.ok(
      performance.now() - started < CONNECTION_DEFAULTS.shutdownGrace,
      "it waited for the grace",
    );
    for (const ws of sockets) {
      const close = await ws.closed;
      assert.equal(close.code, 1001);
      assert.ok(close.wasClean);
    }
  });
}

Deno.test("the client with strategy websocket waits on serve() and ends completed", async () => {
  await using server = await serve({ port: 0, errorRate: 0 });
  const client = new VideoStatusClient({
    serverUrl: server.url,
    strategy: "websocket",
  });
  const job = await client.createJob({ duration: 200, outcome: "completed" });
  const sources: string[] = [];
  const final = await client.waitForJob(job, {
    onUpdate: (update) => sources.push(update.source),
  });
  assert.equal(final.result, "completed");
  assert.ok(sources.length >= 2, `updates: ${sources}`);
  assert.ok(sources.every((source) => source === "websocket"), `${sources}`);
  assert.equal(server.simulator.stats().held, 0);
});
