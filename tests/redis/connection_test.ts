import assert from "node:assert/strict";
import { LuaScript, RedisConnection } from "../../redis/connection.ts";
import { freePort, RedisServer, redisTest, until } from "./_server.ts";

const INCREMENT = new LuaScript(
  "return redis.call('INCRBY', KEYS[1], ARGV[1])",
);

function connect(url: string, events: string[] = []): RedisConnection {
  return new RedisConnection({
    url,
    commandTimeout: 200,
    maxReconnectDelay: 50,
    onReady: () => events.push("ready"),
    onLost: () => events.push("lost"),
  });
}

redisTest(
  "RedisConnection runs a script by its hash, and again after a restarted Redis forgot it",
  async () => {
    await using server = await RedisServer.start();
    const events: string[] = [];
    const connection = connect(server.url, events);
    try {
      await until(() => connection.ready);
      assert.equal(await connection.run(INCREMENT, ["n"], [2]), 2);
      assert.equal(typeof INCREMENT.sha, "string");
      assert.equal(await connection.run(INCREMENT, ["n"], [3]), 5);
      await server.kill();
      await assert.rejects(connection.run(INCREMENT, ["n"], [1]));
      await server.restart();
      await until(() => connection.ready);
      // The restarted Redis is empty and knows no script: NOSCRIPT, then EVAL.
      assert.equal(await connection.run(INCREMENT, ["n"], [7]), 7);
      assert.deepEqual(events, ["ready", "lost", "ready"]);
    } finally {
      await connection.close();
    }
  },
);

redisTest(
  "RedisConnection fails a command at once while Redis is away, and connects once it is there",
  async () => {
    const port = await freePort();
    const connection = connect(`redis://127.0.0.1:${port}`);
    try {
      const started = Date.now();
      await assert.rejects(connection.command(["PING"]));
      assert.ok(Date.now() - started < 100);
      await using server = await RedisServer.start(port);
      await until(() => connection.ready);
      assert.equal(await connection.command(["PING"]), "PONG");
      await server.kill();
    } finally {
      await connection.close();
    }
  },
);

redisTest(
  "RedisConnection fails a command to a Redis that does not answer in time",
  async () => {
    await using server = await RedisServer.start();
    const connection = connect(server.url);
    try {
      await until(() => connection.ready);
      const sleeping = server.command("DEBUG", "SLEEP", "0.5");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await assert.rejects(connection.command(["PING"]));
      const took = Date.now() - started;
      assert.ok(took >= 150 && took < 450, `took ${took} ms`);
      await sleeping;
    } finally {
      await connection.close();
    }
  },
);

redisTest("RedisConnection delivers the messages of a channel", async () => {
  await using server = await RedisServer.start();
  const connection = connect(server.url);
  try {
    const messages: string[] = [];
    connection.subscribe("news", (message) => messages.push(message));
    await until(() => connection.ready);
    // PUBLISH answers how many subscribers got the message: publish until
    // one did.
    const deadline = Date.now() + 5000;
    while (await server.command("PUBLISH", "news", "a") !== ":1\r\n") {
      assert.ok(Date.now() < deadline, "never subscribed");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await until(() => messages.length > 0);
    assert.equal(messages[0], "a");
  } finally {
    await connection.close();
  }
});
