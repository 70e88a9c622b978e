import assert from "node:assert/strict";
import { createSimulator, serve } from "../../server.ts";
import { listenNode } from "../../simulator/adapters/node.ts";
import { connect, readToEnd } from "./_raw_http.ts";
import { CONNECTION_DEFAULTS } from "../../simulator/adapters/listener.ts";

// Generous: a loaded machine may take seconds to pass a disconnect on.
async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000 && !check(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(check(), `timed out waiting for ${what}`);
}

Deno.test("serve() listens on a free port and shuts down", async (t) => {
  const server = await serve({
    port: 0,
    minDuration: 60_000,
    maxDuration: 60_000,
  });
  try {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    await t.step("answers JSON over a socket", async () => {
      const response = await fetch(`${server.url}/status`);
      assert.deepEqual(await response.json(), { result: "pending" });
    });
    await t.step("streams events over a socket", async () => {
      const created = await fetch(`${server.url}/jobs`, {
        method: "POST",
        body: JSON.stringify({ duration: 0.05, outcome: "completed" }),
      });
      const location = created.headers.get("location");
      await created.body?.cancel();
      const text = await (await fetch(`${server.url}${location}/events`))
        .text();
      assert.match(text, /"result":"pending".*\n\n.*"result":"completed"/s);
    });
    await t.step(
      "releases a long-poll when the client disconnects",
      async () => {
        const controller = new AbortController();
        const pending = fetch(`${server.url}/status`, {
          headers: { Prefer: "wait=30" },
          signal: controller.signal,
        });
        await waitFor(() => server.simulator.stats().held === 1, "the hold");
        controller.abort();
        await assert.rejects(pending);
        await waitFor(() => server.simulator.stats().held === 0, "the release");
      },
    );
    await t.step("shutdown() answers held long-polls first", async () => {
      const pending = fetch(`${server.url}/status`, {
        headers: { Prefer: "wait=30" },
      });
      await waitFor(() => server.simulator.stats().held === 1, "the hold");
      await server.shutdown();
      const response = await pending;
      assert.equal(response.headers.get("preference-applied"), "wait=30");
      assert.deepEqual(await response.json(), { result: "pending" });
    });
  } finally {
    await server.shutdown();
  }
  // No request to the freed port: under --parallel another test may hold it.
  await server.finished;
  const after = await server.simulator.fetch(
    new Request(`${server.url}/status`),
  );
  assert.equal(after.status, 503);
  await after.body?.cancel();
});

Deno.test("serve() shuts down when its signal aborts", async () => {
  const controller = new AbortController();
  const server = await serve({ port: 0, signal: controller.signal });
  controller.abort();
  await server.finished;
  assert.deepEqual(server.simulator.stats(), {
    jobs: 0,
    held: 0,
    scheduled: 0,
    clients: 0,
  });
  const after = await server.simulator.fetch(
    new Request(`${server.url}/status`),
  );
  assert.equal(after.status, 503);
  await after.body?.cancel();
});

Deno.test("serve() rejects bad options and a taken port", async () => {
  await assert.rejects(serve({ port: 70_000 }), RangeError);
  await assert.rejects(serve({ port: 0, hostname: "" }), TypeError);
  await assert.rejects(serve({ port: 0, errorRate: 5 }), RangeError);
  await assert.rejects(
    serve({ port: 0, maxConnections: 0 }),
    /'maxConnections' must be an integer from 1 to 1000000: current value is 0/,
  );
  await assert.rejects(serve({ port: 0, headerTimeout: -1 }), RangeError);
  await assert.rejects(serve({ port: 0, idleTimeout: Number.NaN }), RangeError);
  await assert.rejects(serve({ port: 0, shutdownGrace: Infinity }), RangeError);
  await using first = await serve({ port: 0 });
  await assert.rejects(serve({ port: first.port }));
});

Deno.test("the node:http adapter streams, drops and notices disconnects", async (t) => {
  await using simulator = createSimulator({
    minDuration: 60_000,
    maxDuration: 60_000,
  });
  const listener = await listenNode(
    (request, info) => simulator.fetch(request, info),
    { port: 0, hostname: "127.0.0.1", ...CONNECTION_DEFAULTS },
  );
  const url = `http://127.0.0.1:${listener.port}`;
  try {
    await t.step("reads a request body and answers JSON", async () => {
      const response = await fetch(`${url}/jobs`, {
        method: "POST",
        body: JSON.stringify({ duration: 0.05, outcome: "error" }),
      });
      assert.equal(response.status, 201);
      assert.match(response.headers.get("location")!, /^\/jobs\/\w+$/);
      assert.equal(response.headers.get("access-control-allow-origin"), "*");
      const { id } = await response.json();
      const events = await (await fetch(`${url}/jobs/${id}/events`)).text();
      assert.match(events, /"result":"pending".*"result":"error"/s);
    });
    await t.step("answers 413 to an oversized body", async () => {
      const response = await fetch(`${url}/jobs`, {
        method: "POST",
        body: "x".repeat(100_000),
      });
      assert.equal(response.status, 413);
      await response.body?.cancel();
    });
    await t.step("HEAD has no body", async () => {
      const response = await fetch(`${url}/status`, { method: "HEAD" });
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "");
    });
    await t.step(
      "aborts request.signal when the client goes away",
      async () => {
        const controller = new AbortController();
        const pending = fetch(`${url}/status`, {
          headers: { Prefer: "wait=30" },
          signal: controller.signal,
        });
        await waitFor(() => simulator.stats().held === 1, "the hold");
        controller.abort();
        await assert.rejects(pending);
        await waitFor(() => simulator.stats().held === 0, "the release");
      },
    );
  } finally {
    await listener.close();
  }
  await listener.finished;
});

Deno.test("the node:http adapter drops the connection of a reset body", async () => {
  await using simulator = createSimulator({ resetRate: 1, seed: 4 });
  const listener = await listenNode(
    (request, info) => simulator.fetch(request, info),
    { port: 0, hostname: "127.0.0.1", ...CONNECTION_DEFAULTS },
  );
  try {
    const response = await fetch(`http://127.0.0.1:${listener.port}/status`);
    assert.equal(response.status, 200);
    await assert.rejects(response.text());
  } finally {
    await listener.close();
  }
});

Deno.test("the Deno adapter drops the connection of a reset body", async () => {
  await using server = await serve({ port: 0, resetRate: 1, seed: 4 });
  const response = await fetch(`${server.url}/status`);
  assert.equal(response.status, 200);
  await assert.rejects(response.text());
});

/** Resolves with `promise`'s value, or `"late"` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | "late"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) =>
    timer = setTimeout(resolve, ms, "late")
  );
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("shutdown() answers long-polls, then ends within shutdownGrace whatever clients do", async () => {
  const server = await serve({
    port: 0,
    minDuration: 60_000,
    maxDuration: 60_000,
    shutdownGrace: 200,
  });
  // A client that starts POST /jobs and stalls its body.
  const stalled = await connect(server.port);
  await stalled.write(new TextEncoder().encode(
    "POST /jobs HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{",
  ));
  // A slowloris that has sent half a head.
  const slow = await connect(server.port);
  await slow.write(new TextEncoder().encode("GET /status HTTP/1.1\r\n"));
  const longPoll = fetch(`${server.url}/status`, {
    headers: { Prefer: "wait=30" },
  });
  const stream = await fetch(`${server.url}/status/events`);
  await waitFor(() => server.simulator.stats().held === 2, "the holds");
  assert.notEqual(await within(server.shutdown(), 10_000), "late");
  const answer = await longPoll;
  assert.equal(answer.status, 200);
  assert.deepEqual(await answer.json(), { result: "pending" });
  // The stream ended cleanly: its text is whole.
  assert.match(await stream.text(), /^event: status\ndata: .*\n\n$/s);
  assert.ok((await readToEnd(stalled)).closedByServer);
  assert.ok((await readToEnd(slow)).closedByServer);
});

Deno.test("the node:http adapter's close() ends within shutdownGrace despite a stalled body", async () => {
  await using simulator = createSimulator();
  const listener = await listenNode(
    (request, info) => simulator.fetch(request, info),
    {
      port: 0,
      hostname: "127.0.0.1",
      ...CONNECTION_DEFAULTS,
      shutdownGrace: 200,
    },
  );
  const stalled = await connect(listener.port);
  await stalled.write(new TextEncoder().encode(
    "POST /jobs HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{",
  ));
  await new Promise((resolve) => setTimeout(resolve, 100));
  await simulator.close();
  assert.notEqual(await within(listener.close(), 10_000), "late");
  assert.ok((await readToEnd(stalled)).closedByServer);
});
