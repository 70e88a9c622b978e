// The conformance table run three ways: against the pure handler, and over
// real sockets against the Deno adapter and the Node.js adapter (node:http,
// here under Deno). The same request must get the same answer from each.

import assert from "node:assert/strict";
import { createSimulator, type Simulator } from "../../server.ts";
import { listenDeno } from "../../simulator/adapters/deno.ts";
import {
  CONNECTION_DEFAULTS,
  type Listener,
  type ListenOptions,
} from "../../simulator/adapters/listener.ts";
import { listenNode } from "../../simulator/adapters/node.ts";
import { exchange, type RawAnswer } from "./_raw_http.ts";
import {
  type Expected,
  type Row,
  ROWS,
  TABLE_SIMULATOR,
} from "./conformance_table.ts";

const encoder = new TextEncoder();

/** Checks an answer against a row's expectation. */
function check(answer: RawAnswer, expected: Expected, where: string): void {
  assert.equal(answer.status, expected.status, `${where}: status`);
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = answer.headers.get(name) ?? "";
    if (typeof value === "string") {
      assert.equal(actual, value, `${where}: header ${name}`);
    } else assert.match(actual, value, `${where}: header ${name}`);
  }
  if (expected.json !== undefined) {
    assert.deepEqual(JSON.parse(answer.body), expected.json, `${where}: body`);
  }
  if (expected.error !== undefined) {
    assert.match(JSON.parse(answer.body).error, expected.error, where);
  }
  if (expected.text !== undefined) {
    assert.equal(answer.body, expected.text, `${where}: body`);
  }
  if (expected.maxBodyLength !== undefined) {
    assert.ok(
      answer.body.length <= expected.maxBodyLength,
      `${where}: a body of ${answer.body.length} characters`,
    );
  }
}

/** The row as the bytes of a request head that closes its connection. */
function head(row: Row): string {
  const body = encoder.encode(row.body ?? "");
  const headers: Record<string, string> = {
    host: "sim.test",
    connection: "close",
    ...(row.body === undefined ? {} : { "content-length": `${body.length}` }),
    ...row.headers,
  };
  const lines = Object.entries(headers).map(([name, value]) =>
    `${name}: ${value}\r\n`
  );
  return `${row.method} ${row.target} HTTP/1.1\r\n${lines.join("")}\r\n`;
}

/** Answers a row with the pure handler, as a raw answer. */
async function askHandler(simulator: Simulator, row: Row): Promise<RawAnswer> {
  const response = await simulator.fetch(
    new Request(`http://sim.test${row.target}`, {
      method: row.method,
      headers: row.headers,
      body: row.body,
    }),
    { remoteAddr: { hostname: "127.0.0.1" } },
  );
  return {
    status: response.status,
    headers: response.headers,
    body: await response.text(),
  };
}

type Adapter = (
  handler: Simulator["fetch"],
  options: ListenOptions,
) => Listener | Promise<Listener>;

const ADAPTERS: ReadonlyArray<readonly [string, Adapter]> = [
  ["the Deno adapter", listenDeno],
  ["the Node.js adapter", listenNode],
];

Deno.test("conformance: the pure handler answers the table", async (t) => {
  for (const row of ROWS) {
    const expected = row.handler ?? row.expected;
    if (expected === "skip") continue;
    await t.step(row.name, async () => {
      await using simulator = createSimulator(row.simulator ?? TABLE_SIMULATOR);
      check(
        await askHandler(simulator, row),
        expected,
        row.name,
      );
    });
  }
});

/** The rows by the simulator they run against, in the table's order. */
const GROUPS = Map.groupBy(ROWS, (row) => row.simulator ?? TABLE_SIMULATOR);

for (const [name, listen] of ADAPTERS) {
  Deno.test(`conformance: ${name} answers the table over a socket`, async (t) => {
    for (const [options, rows] of GROUPS) {
      await using simulator = createSimulator(options);
      const listener = await listen(
        (request, info) => simulator.fetch(request, info),
        { port: 0, hostname: "127.0.0.1", ...CONNECTION_DEFAULTS },
      );
      try {
        for (const row of rows) {
          await t.step(row.name, async () => {
            const answer = await exchange(
              listener.port,
              head(row),
              encoder.encode(row.body ?? ""),
            );
            check(answer, row.expected, `${name}: ${row.name}`);
          });
        }
      } finally {
        await simulator.close();
        await listener.close();
      }
    }
  });
}
