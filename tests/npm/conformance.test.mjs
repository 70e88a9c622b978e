// The simulator's conformance table (tests/simulator/conformance_table.ts,
// written here as JSON by scripts/test_npm.ts) over real sockets against the
// installed package's serve(), which uses the node:http adapter under
// Node.js and Bun: the same requests must get the answers they get from the
// Deno adapter.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { serve } from "video-status-client/server";

const { simulator, rows } = JSON.parse(
  readFileSync(new URL("./conformance_table.json", import.meta.url), "utf8"),
);

/** Sends raw bytes and reads until the server closes the connection. */
function exchange(port, bytes) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error("timed out")));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on(
      "error",
      (error) =>
        chunks.length > 0 ? resolve(Buffer.concat(chunks)) : reject(error),
    );
    socket.on("end", () => resolve(Buffer.concat(chunks)));
    socket.write(bytes);
  });
}

/** Parses an HTTP/1.1 answer, de-chunking its body. */
function parse(buffer) {
  const text = buffer.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers = new Map();
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers.set(
      line.slice(0, colon).toLowerCase(),
      line.slice(colon + 1).trim(),
    );
  }
  let body = text.slice(end + 4);
  if (headers.get("transfer-encoding") === "chunked") {
    let plain = "";
    for (;;) {
      const lineEnd = body.indexOf("\r\n");
      const size = parseInt(body.slice(0, lineEnd), 16);
      if (!(size > 0)) break;
      plain += body.slice(lineEnd + 2, lineEnd + 2 + size);
      body = body.slice(lineEnd + 4 + size);
    }
    body = plain;
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

function matches(actual, expected) {
  return typeof expected === "string"
    ? actual === expected
    : new RegExp(expected.regexp).test(actual);
}

describe("the conformance table over the node:http adapter", () => {
  // One server per simulator of the table (a row may name its own).
  const servers = new Map();
  const optionsOf = (row) => row.simulator ?? simulator;
  before(async () => {
    for (const options of new Set(rows.map(optionsOf).map(JSON.stringify))) {
      servers.set(options, await serve({ port: 0, ...JSON.parse(options) }));
    }
  });
  after(() => Promise.all([...servers.values()].map((s) => s.shutdown())));

  for (const row of rows) {
    test(row.name, async () => {
      const server = servers.get(JSON.stringify(optionsOf(row)));
      const body = Buffer.from(row.body ?? "");
      const headers = {
        host: "sim.test",
        connection: "close",
        ...(row.body === undefined ? {} : { "content-length": body.length }),
        ...row.headers,
      };
      const head = `${row.method} ${row.target} HTTP/1.1\r\n` +
        Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
        "\r\n";
      const answer = parse(
        await exchange(server.port, Buffer.concat([Buffer.from(head), body])),
      );
      const expected = row.expected;
      assert.equal(answer.status, expected.status, "status");
      for (const [name, value] of Object.entries(expected.headers ?? {})) {
        const actual = answer.headers.get(name) ?? "";
        assert.ok(matches(actual, value), `${name}: ${actual}`);
      }
      if (expected.json !== undefined) {
        assert.deepEqual(JSON.parse(answer.body), expected.json);
      }
      if (expected.error !== undefined) {
        const { error } = JSON.parse(answer.body);
        assert.ok(matches(error, expected.error), error);
      }
      if (expected.text !== undefined) assert.equal(answer.body, expected.text);
      if (expected.maxBodyLength !== undefined) {
        assert.ok(answer.body.length <= expected.maxBodyLength);
      }
    });
  }
});
