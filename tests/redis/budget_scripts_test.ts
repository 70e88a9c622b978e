import assert from "node:assert/strict";
import { RedisConnection } from "../../redis/connection.ts";
import { PUMP, RESTORE, SENT } from "../../redis/budget_scripts.ts";
import { HOLD, LEASE, SLICES, WINDOW } from "../../redis/budget_shape.ts";
import { RedisServer, redisTest, until } from "./_server.ts";

/** PUMP for `process`, standing as it says, queueing `tickets`. */
function pump(
  connection: RedisConnection,
  process: string,
  stands: "redis" | "local" | "back",
  ...tickets: string[]
): Promise<unknown[]> {
  return connection.run(PUMP, [], [
    "k",
    process,
    10,
    WINDOW,
    HOLD,
    LEASE,
    SLICES,
    stands,
    ...tickets,
  ]) as Promise<unknown[]>;
}

/** Runs `body` on a connection to a Redis of its own. */
async function onRedis(
  body: (connection: RedisConnection, server: RedisServer) => Promise<void>,
): Promise<void> {
  await using server = await RedisServer.start();
  const connection = new RedisConnection({
    url: server.url,
    commandTimeout: 1000,
    maxReconnectDelay: 50,
  });
  try {
    await until(() => connection.ready);
    await body(connection, server);
  } finally {
    await connection.close();
  }
}

redisTest(
  "the Redis budget hands out no place until every process that paced itself is back, and counts the places its share still had out",
  () =>
    onRedis(async (connection, server) => {
      // Two processes paced themselves and told Redis what they sent.
      for (const process of ["a", "b"]) {
        await connection.run(RESTORE, [], ["k", process, WINDOW, 0, LEASE, 5]);
      }
      // "a" stopped its share, with one of its places still out.
      const held = await pump(connection, "a", "back", "a.1", "held", "a.2");
      assert.equal(held[0], "hold");
      assert.equal(await server.command("ZCARD", "k:slice"), ":0\r\n");
      // "b" still paces itself: a probe keeps it counted, and holds too.
      assert.equal((await pump(connection, "b", "local"))[0], "hold");
      const back = await pump(connection, "b", "back");
      assert.equal(back[0], "ok");
      // The two requests told, the place still out, and a's queued ticket.
      assert.equal(back[3], 4);
      assert.deepEqual(
        (await pump(connection, "a", "redis")).slice(4 + SLICES),
        [
          "a.1",
        ],
      );
      // The place still out counts as held until its request is told.
      const score = (member: string) =>
        server.command("ZSCORE", "k:used", member);
      assert.match(await score("h:a.2"), /^\$/);
      await connection.run(SENT, [], ["k", WINDOW, "a.2", 0]);
      assert.equal(await score("h:a.2"), "$-1\r\n");
      assert.match(await score("s:a.2"), /^\$/);
    }),
);

redisTest(
  "PUMP tells how many of the window's sends leave in each of the next slices, and leaves held places out",
  () =>
    onRedis(async (connection) => {
      // A place granted, held; three sends told 0, 150 and 990 ms after
      // they went: they leave about 1020, 870 and 30 ms from now.
      assert.deepEqual(
        (await pump(connection, "a", "redis", "a.1")).slice(4 + SLICES),
        ["a.1"],
      );
      await connection.run(SENT, [], [
        "k",
        WINDOW,
        "b.1",
        0,
        "b.2",
        150,
        "b.3",
        990,
      ]);
      const reply = await pump(connection, "a", "redis");
      assert.equal(reply[3], 4);
      assert.deepEqual(reply.slice(4), [1, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    }),
);
