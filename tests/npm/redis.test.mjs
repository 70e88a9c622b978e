// The ./redis entry point from an installed copy of the package, under
// `node --test` and `bun test`: two budgets (as two processes) on one real
// redis-server share one budget. Where redis-server is not installed the test
// is skipped, and says so.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { createRedisBudget } from "video-status-client/redis";

const installed = spawnSync("redis-server", ["--version"]).status === 0;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

describe("createRedisBudget() on a real redis-server", {
  skip: installed ? false : "redis-server not installed",
}, () => {
  let server;
  let url;

  before(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    server = spawn("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
    ], { stdio: "ignore" });
    // Ready once it accepts a connection.
    for (let tries = 0; tries < 200; tries++) {
      const open = await new Promise((resolve) => {
        const socket = createConnection(port);
        socket.once("connect", () => {
          socket.end();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      });
      if (open) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("redis-server did not start");
  });

  after(async () => {
    server.kill("SIGKILL");
    await new Promise((resolve) => server.once("exit", resolve));
  });

  test("two budgets on one key keep to it together", async () => {
    const budgets = [1, 2].map(() =>
      createRedisBudget({ url, key: "npm-test", maxRequestsPerSecond: 4 })
    );
    try {
      const sends = [];
      await Promise.all(budgets.map(async (budget) => {
        for (let i = 0; i < 4; i++) {
          const ticket = await budget.acquire();
          sends.push(Date.now());
          budget.sent(ticket);
          budget.done(ticket);
        }
      }));
      sends.sort((a, b) => a - b);
      // Eight requests at four a second: the fifth waits for the window.
      assert.ok(sends[4] - sends[0] >= 1000, `${sends[4] - sends[0]} ms`);
      assert.ok(budgets.every((budget) => budget.state === "redis"));
    } finally {
      await Promise.all(budgets.map((budget) => budget.close()));
    }
  });
});
