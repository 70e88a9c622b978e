// The simulator's WebSocket push under Node.js and Bun, where serve() uses
// the node:http adapter: a raw RFC 6455 client (Node.js 20 has no global
// WebSocket) sees the status at once, the final one and a close 1000, and a
// shutdown's 1001; where the runtime has a WebSocket (Bun, Node.js 22+) it
// is used as well.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { serve } from "video-status-client/server";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

/**
 * Opens a WebSocket on `path` over a raw socket; resolves with the 101 head,
 * the text messages and the close code once the server closes, answering
 * the server's close as RFC 6455 asks.
 */
function rawWebSocket(port, path, onMessage = () => {}) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\n` +
          "Sec-WebSocket-Version: 13\r\n\r\n",
      ));
    let buffer = Buffer.alloc(0);
    let head;
    const messages = [];
    let code;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("the socket stayed open"));
    }, 10_000);
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (head === undefined) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end === -1) return;
        head = buffer.subarray(0, end).toString();
        buffer = buffer.subarray(end + 4);
      }
      // Server frames are unmasked and short here (7-bit lengths).
      while (buffer.length >= 2 && buffer.length >= 2 + (buffer[1] & 0x7f)) {
        const opcode = buffer[0] & 0x0f;
        const payload = buffer.subarray(2, 2 + (buffer[1] & 0x7f));
        buffer = buffer.subarray(2 + payload.length);
        if (opcode === 1) {
          messages.push(JSON.parse(payload.toString()));
          onMessage(messages);
        }
        if (opcode === 8) {
          code = payload.readUInt16BE(0);
          // A masked close with the same code (mask of zeros).
          socket.write(
            Buffer.from([0x88, 0x82, 0, 0, 0, 0, ...payload.subarray(0, 2)]),
          );
        }
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ head, messages, code });
    });
  });
}

async function createJob(url, duration) {
  const created = await fetch(`${url}/jobs`, {
    method: "POST",
    body: JSON.stringify({ duration, outcome: "completed" }),
  });
  await created.body?.cancel();
  return created.headers.get("location");
}

describe("serve() under this runtime pushes status over WebSocket", () => {
  test("the status at once, the final one, then close 1000", async () => {
    const server = await serve({ port: 0, errorRate: 0 });
    try {
      const path = await createJob(server.url, 0.2);
      const { head, messages, code } = await rawWebSocket(server.port, path);
      assert.match(head, /^HTTP\/1\.1 101 /);
      assert.match(head, /s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
      assert.deepEqual(messages.map((m) => m.result), ["pending", "completed"]);
      assert.equal(code, 1000);
      assert.equal(server.simulator.stats().held, 0);
    } finally {
      await server.shutdown();
    }
  });

  test("shutdown() closes a WebSocket with 1001", async () => {
    const server = await serve({
      port: 0,
      minDuration: 60_000,
      maxDuration: 60_000,
    });
    const done = rawWebSocket(server.port, "/status", () => server.shutdown());
    const { messages, code } = await done;
    assert.deepEqual(messages, [{ result: "pending" }]);
    assert.equal(code, 1001);
  });

  test("the runtime's own WebSocket, where it has one", {
    skip: typeof WebSocket !== "function" && "no global WebSocket",
  }, async () => {
    const server = await serve({ port: 0, errorRate: 0 });
    try {
      const path = await createJob(server.url, 0.2);
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
      const messages = [];
      socket.onmessage = (event) => messages.push(JSON.parse(event.data));
      const close = await new Promise((resolve) => socket.onclose = resolve);
      assert.deepEqual(messages.map((m) => m.result), ["pending", "completed"]);
      assert.equal(close.code, 1000);
    } finally {
      await server.shutdown();
    }
  });
});
