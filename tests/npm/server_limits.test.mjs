// The simulator's connection limits under Node.js and Bun, where serve()
// uses the node:http adapter: a half-sent head and an idle keep-alive
// connection are closed, and shutdown ends within its grace although a
// client stalls its upload. Small timeouts; generous bounds.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { serve } from "video-status-client/server";

/** Opens a connection, writes `text`, and resolves once the server closes it. */
function closedAfter(port, text) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("the connection stayed open"));
    }, 10_000);
    socket.on("data", (chunk) => received += chunk);
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

describe("serve() under this runtime guards its connections", () => {
  test("a head not complete within headerTimeout is closed", async () => {
    const server = await serve({ port: 0, headerTimeout: 200 });
    try {
      await closedAfter(server.port, "GET /status HTTP/1.1\r\nHost: a\r\n");
    } finally {
      await server.shutdown();
    }
  });

  test("a connection idle past idleTimeout is closed", async () => {
    const server = await serve({ port: 0, idleTimeout: 200 });
    try {
      const answer = await closedAfter(
        server.port,
        "GET /status HTTP/1.1\r\nHost: a\r\n\r\n",
      );
      assert.match(answer, /^HTTP\/1\.1 200/);
    } finally {
      await server.shutdown();
    }
  });

  test("shutdown() ends within shutdownGrace despite a stalled upload", async () => {
    const server = await serve({ port: 0, shutdownGrace: 200 });
    const closed = closedAfter(
      server.port,
      "POST /jobs HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{",
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const start = Date.now();
    await server.shutdown();
    assert.ok(Date.now() - start < 5_000);
    await closed;
  });
});
