import assert from "node:assert/strict";
import {
  createRedisBudget,
  type RedisBudget,
  type RedisBudgetEvent,
  type RedisBudgetOptions,
} from "../../redis/mod.ts";
import { VideoStatusClient } from "../../client.ts";
import { json, scriptedFetch } from "../../testing/scripted_fetch.ts";
import { seededRandom } from "../../util/random.ts";
import { freePort, RedisServer, redisTest, until } from "./_server.ts";

/** The most requests in any window of `window` ms. */
function busiest(times: number[], window = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= window) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

let keys = 0;

/** A budget on the server, fast to notice faults; `events` gets its announcements. */
function budgetOn(
  url: string,
  options: Partial<RedisBudgetOptions> & { events?: RedisBudgetEvent[] } = {},
): RedisBudget {
  const { events, ...rest } = options;
  return createRedisBudget({
    url,
    key: `test:${keys}`,
    maxRequestsPerSecond: 10,
    commandTimeout: 200,
    maxReconnectDelay: 50,
    onFallback: (event) => events?.push(event),
    ...rest,
  });
}

/**
 * Takes a place, sends at once and is done, `count` times, recording when
 * each request went; stops early when `stop` aborts.
 */
async function sendMany(
  budget: RedisBudget,
  count: number,
  sends: number[],
  stop?: AbortSignal,
): Promise<void> {
  for (let i = 0; i < count && !stop?.aborted; i++) {
    let ticket: unknown;
    try {
      ticket = await budget.acquire(stop);
    } catch (error) {
      if (stop?.aborted) return;
      throw error;
    }
    sends.push(Date.now());
    budget.sent(ticket);
    budget.done(ticket);
  }
}

async function closeAll(...budgets: RedisBudget[]): Promise<void> {
  await Promise.all(budgets.map((budget) => budget.close()));
}

redisTest(
  "a Redis budget holds every process together to the budget in any second",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    // Three budgets, three connections and ids: as three processes.
    const budgets = [1, 2, 3].map(() => budgetOn(server.url));
    try {
      const sends: number[] = [];
      const started = Date.now();
      await Promise.all(budgets.map((budget) => sendMany(budget, 8, sends)));
      assert.equal(sends.length, 24);
      assert.ok(busiest(sends) <= 10, `${busiest(sends)} in a second`);
      // 24 requests at 10 a second: the third ten cannot start before 2 s.
      assert.ok(Date.now() - started >= 2000);
      assert.ok(budgets.every((budget) => budget.state === "redis"));
    } finally {
      await closeAll(...budgets);
    }
  },
);

redisTest(
  "a Redis budget lets a full queue go as an even stream: each tenth of the window holds a tenth of the budget",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    const budgets = [1, 2, 3].map(() =>
      budgetOn(server.url, { maxRequestsPerSecond: 20 })
    );
    try {
      const sends: number[] = [];
      await Promise.all(budgets.map((budget) => sendMany(budget, 12, sends)));
      assert.equal(sends.length, 36);
      assert.ok(busiest(sends) <= 20, `${busiest(sends)} in a second`);
      // Slices of 101 ms with 2 places each, across the processes (a few ms
      // under the slice for the whole milliseconds of the stamps).
      const most = busiest(sends, 95);
      assert.ok(most <= 2, `${most} in a tenth of a second`);
      // 36 requests at 2 a slice: the last goes in the 18th slice.
      const spread = Math.max(...sends) - Math.min(...sends);
      assert.ok(spread >= 17 * 95, `all within ${spread} ms`);
    } finally {
      await closeAll(...budgets);
    }
  },
);

redisTest(
  "a Redis budget serves waiters in the order they came, across processes",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    const key = `test:${keys}`;
    const [a, b] = [
      budgetOn(server.url, { maxRequestsPerSecond: 1 }),
      budgetOn(server.url, { maxRequestsPerSecond: 1 }),
    ];
    try {
      const first = await a.acquire();
      const order: string[] = [];
      const waits: Promise<void>[] = [];
      const queued = async () =>
        Number((await server.command("ZCARD", `${key}:queue`)).slice(1));
      for (
        const [name, budget] of [["a1", a], ["b1", b], ["a2", a], ["b2", b], [
          "b3",
          b,
        ], ["a3", a]] as const
      ) {
        const before = await queued();
        waits.push(
          budget.acquire().then((ticket) => {
            order.push(name);
            // Never sent: the place is free again at once for the next.
            budget.done(ticket);
          }),
        );
        // Each queues before the next asks.
        const deadline = Date.now() + 2000;
        while (await queued() === before) {
          assert.ok(Date.now() < deadline, `${name} never queued`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      a.done(first);
      await Promise.all(waits);
      assert.deepEqual(order, ["a1", "b1", "a2", "b2", "b3", "a3"]);
    } finally {
      await closeAll(a, b);
    }
  },
);

redisTest(
  "a wait queued in a Redis budget ends at its abort, and gives its place up",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    const key = `test:${keys}`;
    const budget = budgetOn(server.url, { maxRequestsPerSecond: 1 });
    try {
      const held = await budget.acquire();
      const started = Date.now();
      await assert.rejects(
        budget.acquire(AbortSignal.timeout(150)),
        (error: Error) => error.name === "TimeoutError",
      );
      assert.ok(Date.now() - started < 400);
      const reason = new Error("gone");
      const controller = new AbortController();
      const waiting = budget.acquire(controller.signal);
      controller.abort(reason);
      await assert.rejects(waiting, (error) => error === reason);
      budget.done(held);
      // The aborted waits left the queue: the next takes the place at once.
      const next = Date.now();
      budget.done(await budget.acquire());
      assert.ok(Date.now() - next < 200);
      assert.equal(await server.command("ZCARD", `${key}:queue`), ":0\r\n");
    } finally {
      await budget.close();
    }
  },
);

redisTest(
  "a Redis budget paces itself while Redis is unreachable at the start, and moves to Redis when it answers",
  async () => {
    const port = await freePort();
    keys++;
    const events: RedisBudgetEvent[] = [];
    const budget = budgetOn(`redis://127.0.0.1:${port}`, {
      events,
      fallbackRequestsPerSecond: 5,
    });
    try {
      const sends: number[] = [];
      await sendMany(budget, 5, sends);
      assert.equal(budget.state, "local");
      assert.equal(events[0].state, "local");
      assert.equal(events[0].requestsPerSecond, 5);
      await using server = await RedisServer.start(port);
      // Back after the quiet: a window and two reconnect pauses.
      await until(() => budget.state === "redis", 3000);
      assert.deepEqual(events.map((event) => event.state), ["local", "redis"]);
      await sendMany(budget, 5, sends);
      assert.equal(sends.length, 10);
      assert.ok(busiest(sends) <= 10, `${busiest(sends)} in a second`);
      await server.kill();
    } finally {
      await budget.close();
    }
  },
);

redisTest(
  "a Redis budget counts a place of its local share that goes after Redis came back",
  async () => {
    const port = await freePort();
    keys++;
    const budget = budgetOn(`redis://127.0.0.1:${port}`, {
      maxRequestsPerSecond: 2,
      fallbackRequestsPerSecond: 2,
    });
    try {
      const held = await budget.acquire();
      assert.equal(budget.state, "local");
      await using server = await RedisServer.start(port);
      await until(() => budget.state === "redis", 3000);
      // Sent after the return: Redis must count it before its next place.
      const sends = [Date.now()];
      budget.sent(held);
      budget.done(held);
      await sendMany(budget, 2, sends);
      assert.ok(busiest(sends) <= 2, `${busiest(sends)} in a second`);
      await server.kill();
    } finally {
      await budget.close();
    }
  },
);

redisTest(
  "a Redis budget killed and restarted mid-run loses no wait and lets no second hold more than the budget",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    const events: RedisBudgetEvent[][] = [[], []];
    const budgets = events.map((list) =>
      budgetOn(server.url, { events: list, maxRequestsPerSecond: 20 })
    );
    try {
      const sends: number[] = [];
      const stop = AbortSignal.timeout(3500);
      const runs = budgets.map((budget) => sendMany(budget, 1000, sends, stop));
      await new Promise((resolve) => setTimeout(resolve, 700));
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, 600));
      await server.restart();
      await Promise.all(runs);
      assert.ok(busiest(sends) <= 20, `${busiest(sends)} in a second`);
      // Every second of the run had requests: no hang.
      assert.ok(sends.length >= 40, `${sends.length} requests`);
      // Each process's share starts three slices (303 ms) after the loss, not
      // a whole window: the shares of both fill a slice, and Redis kept
      // every slice before the loss to its share.
      const sorted = sends.toSorted((a, b) => a - b);
      const gap = Math.max(...sorted.slice(1).map((at, i) => at - sorted[i]));
      assert.ok(gap < 700, `no request for ${gap} ms`);
      for (const list of events) {
        assert.deepEqual(list.map((event) => event.state), ["local", "redis"]);
        // Two processes shared the key: each paces itself on half.
        assert.equal(list[0].requestsPerSecond, 10);
      }
    } finally {
      await closeAll(...budgets);
    }
  },
);

redisTest(
  "a Redis budget killed mid-run goes on at once at each process's own pace, one process holding most of the last second's places, and lets no second hold more than the budget",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    const budgets = [1, 2, 3].map(() =>
      budgetOn(server.url, { maxRequestsPerSecond: 30 })
    );
    try {
      const sends: number[] = [];
      const stop = AbortSignal.timeout(4000);
      // One process asks for most places; after the loss each asks for all.
      const callers = (count: number) =>
        budgets.flatMap((budget, i) =>
          Array.from(
            { length: i === 0 ? 10 : count },
            () => sendMany(budget, 1000, sends, stop),
          )
        );
      const before = callers(1);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await server.kill();
      const lost = Date.now();
      const after = callers(10);
      await new Promise((resolve) => setTimeout(resolve, 600));
      await server.restart();
      await Promise.all([...before, ...after]);
      assert.ok(busiest(sends) <= 30, `${busiest(sends)} in a second`);
      // No hold-off: the full queue went on within two slices of the loss
      // (three slices before), and through the return.
      const sorted = sends.toSorted((a, b) => a - b);
      const first = sorted.find((at) => at >= lost)!;
      assert.ok(first - lost < 204, `first request ${first - lost} ms after`);
      const gap = Math.max(...sorted.slice(1).map((at, i) => at - sorted[i]));
      assert.ok(gap < 250, `no request for ${gap} ms`);
      assert.ok(budgets.every((budget) => budget.state === "redis"));
    } finally {
      await closeAll(...budgets);
    }
  },
);

redisTest(
  "a Redis budget used lately keeps its view of the window fresh: killed a second after the last request, each process goes on at once on the places free then",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    const budgets = [1, 2].map(() =>
      budgetOn(server.url, { maxRequestsPerSecond: 40 })
    );
    try {
      const sends: number[] = [];
      await Promise.all(budgets.map((budget) => sendMany(budget, 4, sends)));
      // Idle for more than a window: Redis's window empties, while their
      // last asks with a place were a second old (counted as full before).
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await server.kill();
      const lost = Date.now();
      await Promise.all(budgets.map((budget) => sendMany(budget, 6, sends)));
      assert.ok(busiest(sends) <= 40, `${busiest(sends)} in a second`);
      // Each had 18 places free at once (the window empty, less a slice's
      // share), taken at two a slice: not a window after the loss.
      const last = Math.max(...sends) - lost;
      assert.ok(last < 700, `the last request ${last} ms after the loss`);
    } finally {
      await closeAll(...budgets);
    }
  },
);

redisTest(
  "a Redis budget paces itself while Redis is too slow to answer, and comes back after",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    const events: RedisBudgetEvent[] = [];
    const budget = budgetOn(server.url, { events, maxRequestsPerSecond: 20 });
    try {
      const sends: number[] = [];
      const stop = AbortSignal.timeout(3500);
      const run = sendMany(budget, 1000, sends, stop);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const sleeping = server.command("DEBUG", "SLEEP", "1");
      await run;
      await sleeping;
      assert.ok(busiest(sends) <= 20, `${busiest(sends)} in a second`);
      assert.deepEqual(events.map((event) => event.state), ["local", "redis"]);
      assert.ok(sends.length >= 40, `${sends.length} requests`);
    } finally {
      await budget.close();
    }
  },
);

redisTest("closing a Redis budget rejects the waits it queued", async () => {
  await using server = await RedisServer.start();
  keys++;
  const budget = budgetOn(server.url, { maxRequestsPerSecond: 1 });
  await budget.acquire();
  const waiting = budget.acquire();
  await budget.close();
  await assert.rejects(waiting, /closed/);
  await assert.rejects(budget.acquire(), /closed/);
  assert.equal(budget.state, "closed");
});

redisTest(
  "a client waits on the Redis budget of its budget option",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    await using budget = budgetOn(server.url, { maxRequestsPerSecond: 2 });
    const { fetch, requests } = scriptedFetch([
      json({ result: "pending" }),
      json({ result: "pending" }),
      json({ result: "completed" }),
    ]);
    const client = new VideoStatusClient({
      budget,
      fetch,
      strategy: "poll",
      initialDelay: 0,
      maxDelay: 0,
      minDelay: 0,
    });
    const started = Date.now();
    const final = await client.waitForJob("a1");
    assert.equal(final.result, "completed");
    assert.equal(requests.length, 3);
    // Two requests a second: the third waits for the window.
    assert.ok(Date.now() - started >= 1000);
  },
);

Deno.test("createRedisBudget() refuses bad options", () => {
  const good = {
    url: "redis://127.0.0.1:1",
    key: "k",
    maxRequestsPerSecond: 5,
  };
  assert.throws(
    () => createRedisBudget({ ...good, url: "http://x" }),
    TypeError,
  );
  assert.throws(() => createRedisBudget({ ...good, key: "" }), TypeError);
  assert.throws(
    () => createRedisBudget({ ...good, maxRequestsPerSecond: 0.5 }),
    RangeError,
  );
  assert.throws(
    () => createRedisBudget({ ...good, fallbackRequestsPerSecond: 6 }),
    RangeError,
  );
  assert.throws(
    () => createRedisBudget({ ...good, commandTimeout: 0 }),
    RangeError,
  );
});

redisTest(
  "a Redis budget keeps to the budget and gives every place back, whatever its callers do",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    const key = `test:${keys}`;
    const random = seededRandom(14);
    const budgets = [1, 2, 3].map(() => budgetOn(server.url));
    const pause = (most: number) =>
      new Promise((resolve) => setTimeout(resolve, random() * most));
    try {
      const sends: number[] = [];
      let left = 0;
      // Eight callers per process, two rounds each: some give up waiting,
      // some never send their place, some send it late.
      const callers = budgets.flatMap((budget) =>
        Array.from({ length: 8 }, async () => {
          for (let round = 0; round < 2; round++) {
            await pause(300);
            const giveUp = random() < 0.2
              ? AbortSignal.timeout(50 + random() * 400)
              : undefined;
            let ticket: unknown;
            try {
              ticket = await budget.acquire(giveUp);
            } catch (error) {
              assert.equal((error as Error).name, "TimeoutError");
              left++;
              continue;
            }
            if (random() < 0.25) {
              budget.done(ticket);
              continue;
            }
            await pause(50);
            sends.push(Date.now());
            budget.sent(ticket);
            budget.done(ticket);
          }
        })
      );
      await Promise.all(callers);
      assert.ok(busiest(sends) <= 10, `${busiest(sends)} in a second`);
      // 48 rounds: about a fifth give up, a quarter of the rest never send.
      assert.ok(sends.length >= 15, `${sends.length} sent, ${left} gave up`);
      // Nothing queued or held is left behind, once the last give-backs
      // (sent in the background) are in.
      const leftBehind = async () =>
        (await server.command("ZCARD", `${key}:queue`)) +
        (await server.command("ZRANGEBYLEX", `${key}:used`, "[h:", "[h;"));
      const deadline = Date.now() + 2000;
      while (await leftBehind() !== ":0\r\n*0\r\n") {
        assert.ok(Date.now() < deadline, await leftBehind());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await closeAll(...budgets);
    }
  },
);

redisTest(
  "a client's wait queued in a Redis budget still ends at its timeout",
  async () => {
    await using server = await RedisServer.start();
    keys++;
    await using budget = budgetOn(server.url, { maxRequestsPerSecond: 1 });
    const held = await budget.acquire();
    const { fetch, requests } = scriptedFetch([json({ result: "completed" })]);
    const client = new VideoStatusClient({ budget, fetch });
    const started = Date.now();
    await assert.rejects(
      client.waitForJob("a1", { timeout: 200 }),
      (error: Error) => error.name === "TimeoutError",
    );
    assert.ok(Date.now() - started < 600);
    assert.equal(requests.length, 0);
    budget.done(held);
  },
);
