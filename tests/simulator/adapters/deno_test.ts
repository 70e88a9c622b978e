// The Deno adapter's hold on its connections: slow, idle and excess ones are
// closed or turned away, and running out of descriptors never ends it. Time
// bounds are generous; the timeouts under test are small, set via options.

import assert from "node:assert/strict";
import { listenDeno } from "../../../simulator/adapters/deno.ts";
import {
  CONNECTION_DEFAULTS,
  type ConnectionLimits,
  type Listener,
} from "../../../simulator/adapters/listener.ts";
import { connect, parseAnswer, readToEnd } from "../_raw_http.ts";

const encoder = new TextEncoder();
const ok = (): Promise<Response> => Promise.resolve(new Response("ok"));

function listen(limits: Partial<ConnectionLimits>): Listener {
  return listenDeno(ok, {
    port: 0,
    hostname: "127.0.0.1",
    ...CONNECTION_DEFAULTS,
    ...limits,
  });
}

async function send(conn: Deno.Conn, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  for (let offset = 0; offset < bytes.length;) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

Deno.test("the Deno adapter closes a connection whose head is incomplete after headerTimeout", async () => {
  const listener = listen({ headerTimeout: 100 });
  try {
    const conn = await connect(listener.port);
    await send(conn, "GET /status HTTP/1.1\r\nHost: a\r\n");
    const { text, closedByServer } = await readToEnd(conn);
    assert.ok(closedByServer, "the connection stayed open");
    assert.equal(text, "");
  } finally {
    await listener.close();
  }
});

Deno.test("the Deno adapter closes a slowloris whose every byte comes in time", async () => {
  const listener = listen({ headerTimeout: 300, idleTimeout: 60_000 });
  try {
    const conn = await connect(listener.port);
    let sending = true;
    // One header byte every 20 ms: far more often than any timeout.
    const trickle = (async () => {
      const head = "GET /status HTTP/1.1\r\n" + "X-Slow: " + "x".repeat(10_000);
      for (let i = 0; sending && i < head.length; i++) {
        await send(conn, head[i]!).catch(() => sending = false);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const { closedByServer } = await readToEnd(conn);
    sending = false;
    await trickle;
    assert.ok(closedByServer, "the slow connection stayed open");
  } finally {
    await listener.close();
  }
});

Deno.test("the Deno adapter closes a connection idle between requests after idleTimeout", async () => {
  const listener = listen({ idleTimeout: 100 });
  try {
    const conn = await connect(listener.port);
    await send(conn, "GET /status HTTP/1.1\r\nHost: a\r\n\r\n");
    const { text, closedByServer } = await readToEnd(conn);
    assert.equal(parseAnswer(text).status, 200);
    assert.match(text, /connection: keep-alive/);
    assert.ok(closedByServer, "the idle connection stayed open");
  } finally {
    await listener.close();
  }
});

Deno.test("the Deno adapter answers connections over maxConnections 503 and closes them", async () => {
  const listener = listen({ maxConnections: 2, headerTimeout: 60_000 });
  const held = [await connect(listener.port), await connect(listener.port)];
  try {
    const excess = await connect(listener.port);
    const { text, closedByServer } = await readToEnd(excess);
    assert.equal(parseAnswer(text).status, 503);
    assert.equal(parseAnswer(text).headers.get("retry-after"), "1");
    assert.ok(closedByServer);
    for (const conn of held) conn.close();
    // Once the held ones are gone, a new connection is served again.
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const conn = await connect(listener.port);
      await send(
        conn,
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
      );
      status = parseAnswer((await readToEnd(conn)).text).status;
    }
    assert.equal(status, 200);
  } finally {
    await listener.close();
  }
});

Deno.test("the Deno adapter's close() ends within shutdownGrace whatever a client does", async () => {
  let reached = (): void => {};
  const handlerReached = new Promise<void>((resolve) => reached = resolve);
  // A handler that reads a body which never comes.
  const listener = listenDeno(async (request) => {
    reached();
    try {
      await request.text();
      return new Response("read");
    } catch {
      return new Response("cut", { status: 400 });
    }
  }, {
    port: 0,
    hostname: "127.0.0.1",
    ...CONNECTION_DEFAULTS,
    shutdownGrace: 100,
  });
  const stalled = await connect(listener.port);
  await send(
    stalled,
    "POST /jobs HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{",
  );
  await handlerReached;
  const idle = await connect(listener.port);
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([
    listener.close().then(() => true),
    new Promise<false>((resolve) => timer = setTimeout(resolve, 10_000, false)),
  ]);
  clearTimeout(timer);
  assert.ok(closed, "close() waited on the client");
  assert.ok(performance.now() - start < 5_000, "close() waited on the client");
  assert.ok((await readToEnd(stalled)).closedByServer);
  assert.ok((await readToEnd(idle)).closedByServer);
});

Deno.test("running out of descriptors never ends the Deno simulator", async () => {
  const server = new URL("../../../server.ts", import.meta.url).pathname;
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      `ulimit -n 64 && exec "$0" run --allow-net "$1" --port 0 --header-timeout 60`,
      Deno.execPath(),
      server,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await lines.read();
    if (done) break;
    text += value;
  }
  const port = Number(/:(\d+)/.exec(text)?.[1]);
  const conns: Deno.Conn[] = [];
  try {
    // Twice the descriptors the simulator has: its accepts fail with EMFILE.
    for (let i = 0; i < 128; i++) conns.push(await connect(port));
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const conn of conns.splice(0)) conn.close();
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/status`, {
        signal: AbortSignal.timeout(5_000),
      }).catch(() => undefined);
      status = response?.status ?? 0;
      await response?.body?.cancel();
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 200, "the simulator stopped serving");
  } finally {
    for (const conn of conns) conn.close();
    child.kill("SIGTERM");
    const status = await child.status;
    await lines.cancel();
    assert.equal(status.code, 0, "the simulator did not exit cleanly");
  }
});
