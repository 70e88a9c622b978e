// Shared learning with a real redis-server: "workers" are Redis learnings
// in this process, each with its own connection, as worker processes of
// one kind of job would be.

import assert from "node:assert/strict";
import { LearnedSchedule, VideoStatusClient } from "../../mod.ts";
import {
  createRedisLearning,
  type RedisLearning,
  type RedisLearningOptions,
} from "../../redis/mod.ts";
import { seededRandom } from "../../util/random.ts";
import { freePort, RedisServer, redisTest } from "./_server.ts";
import { assertSameEstimate } from "../timing/_same_estimate.ts";

const KEY = "test:learning";

/** A worker; `changes` records its fallback states. */
function worker(
  url: string,
  options: Partial<RedisLearningOptions> = {},
): RedisLearning & { changes: string[]; causes: unknown[] } {
  const changes: string[] = [];
  const causes: unknown[] = [];
  const learning = createRedisLearning({
    url,
    key: KEY,
    schedule: { targetLatency: 1000 },
    // The tests sync by hand.
    syncInterval: 60_000,
    commandTimeout: 500,
    onFallback: ({ state, cause }) => {
      changes.push(state);
      causes.push(cause);
    },
    ...options,
  });
  return Object.assign(learning, { changes, causes });
}

/** `count` jobs of 8 to 12 s, as a worker's waits would report them. */
function learn(learning: RedisLearning, count: number, seed: number): void {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const duration = 8000 + 4000 * random();
    learning.observe({ after: duration - 500, atMost: duration });
  }
}

const FIRST = { attempt: 1, elapsed: 0 };

/** Syncs until Redis takes it, as the periodic sync would once the connection is back. */
async function syncOnceBack(learning: RedisLearning): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!await learning.sync()) {
    if (Date.now() > deadline) assert.fail("Redis did not take the sync");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

redisTest(
  "a worker that starts later starts warm from what another learned",
  async () => {
    await using redis = await RedisServer.start();
    await using a = worker(redis.url);
    await a.ready;
    learn(a, 30, 1);
    assert.equal(await a.sync(), true);
    await using b = worker(redis.url);
    await b.ready;
    assert.equal(b.schedule.samples, 30);
    assert.equal(b.nextDelay(FIRST), a.nextDelay(FIRST));
    // Warm means planned from the jobs, not the fallback's first delay.
    const cold = new LearnedSchedule({ targetLatency: 1000 });
    assert.notEqual(b.nextDelay(FIRST), cold.nextDelay(FIRST));
    assert.ok(b.nextDelay(FIRST) >= 6000, `first delay ${b.nextDelay(FIRST)}`);
    // It is a schedule the client takes.
    assert.ok(new VideoStatusClient({ schedule: b }));
    assert.deepEqual([a.changes, b.changes], [[], []]);
  },
);

redisTest(
  "for any interleaving of jobs and syncs, the shared model counts every job once",
  async () => {
    await using redis = await RedisServer.start();
    for (let seed = 1; seed <= 4; seed++) {
      const key = `${KEY}:${seed}`;
      const workers = [0, 1, 2].map(() => worker(redis.url, { key }));
      try {
        await Promise.all(workers.map((w) => w.ready));
        const random = seededRandom(seed);
        let observed = 0;
        const syncs: Promise<boolean>[] = [];
        for (let step = 0; step < 40; step++) {
          const w = workers[Math.floor(random() * workers.length)];
          if (random() < 0.4) {
            // Not awaited: syncs of different workers race on the revision.
            syncs.push(w.sync());
          } else {
            const n = 1 + Math.floor(random() * 3);
            learn(w, n, seed * 100 + step);
            observed += n;
          }
          if (random() < 0.3) await Promise.resolve();
        }
        await Promise.all(syncs);
        // Until every worker has shared all (a sync may give up on contention).
        for (let round = 0; round < 10; round++) {
          const done = await Promise.all(workers.map((w) => w.sync()));
          if (done.every(Boolean)) break;
        }
        await Promise.all(workers.map((w) => w.sync()));
        for (const w of workers) {
          assert.equal(w.schedule.samples, observed, `seed ${seed}`);
        }
      } finally {
        await Promise.all(workers.map((w) => w.close()));
      }
    }
  },
);

redisTest(
  "a restarted worker starts warm, and a restarted Redis gets the model back",
  async () => {
    await using redis = await RedisServer.start();
    const first = worker(redis.url);
    await first.ready;
    learn(first, 20, 2);
    // Closing shares what is left.
    await first.close();
    await using again = worker(redis.url);
    await again.ready;
    assert.equal(again.schedule.samples, 20);

    await redis.kill();
    assert.equal(await again.sync(), false);
    learn(again, 5, 3);
    assert.equal(again.schedule.samples, 25, "it learns alone meanwhile");
    await redis.restart();
    await syncOnceBack(again);
    await using fresh = worker(redis.url);
    await fresh.ready;
    assert.equal(fresh.schedule.samples, 25);
    assert.deepEqual(again.changes, ["local", "redis"]);
  },
);

redisTest(
  "Redis unreachable at start: nothing waits on it, the worker learns alone and shares once Redis comes",
  async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    await using alone = worker(url);
    const started = performance.now();
    await alone.ready;
    assert.ok(performance.now() - started < 2000, "ready waited too long");
    assert.equal(alone.degraded, true);
    assert.deepEqual(alone.changes, ["local"]);
    learn(alone, 10, 4);
    assert.equal(alone.schedule.samples, 10);
    await using redis = await RedisServer.start(port);
    await syncOnceBack(alone);
    assert.deepEqual(alone.changes, ["local", "redis"]);
    await using other = worker(redis.url);
    await other.ready;
    assert.equal(other.schedule.samples, 10);
  },
);

redisTest(
  "a document that is not a learned schedule is never overwritten",
  async () => {
    await using redis = await RedisServer.start();
    await redis.command(
      "HSET",
      KEY,
      "revision",
      "3",
      "schedule",
      '{"format":"other"}',
    );
    await using w = worker(redis.url);
    await w.ready;
    learn(w, 5, 5);
    assert.equal(await w.sync(), false);
    assert.equal(w.degraded, true);
    assert.ok(w.causes[0] instanceof TypeError, String(w.causes[0]));
    assert.equal(w.schedule.samples, 5);
    assert.match(
      await redis.command("HGET", KEY, "schedule"),
      /"format":"other"/,
    );
  },
);

redisTest("the shared model is versioned and expires", async () => {
  await using redis = await RedisServer.start();
  await using w = worker(redis.url, { keepFor: 60_000 });
  await w.ready;
  for (let round = 1; round <= 3; round++) {
    learn(w, 2, round);
    assert.equal(await w.sync(), true);
    assert.equal(
      await redis.command("HGET", KEY, "revision"),
      `$1\r\n${round}\r\n`,
    );
  }
  const ttl = Number((await redis.command("PTTL", KEY)).slice(1));
  assert.ok(ttl > 0 && ttl <= 60_000, `expires in ${ttl} ms`);
  // The schedule's own versioned JSON, as LearnedSchedule.fromJSON reads it.
  const text = await redis.command("HGET", KEY, "schedule");
  const json = text.slice(text.indexOf("\r\n") + 2, -2);
  assert.equal(LearnedSchedule.fromJSON(json).samples, 6);
});

redisTest("workers share every syncInterval without being asked", async () => {
  await using redis = await RedisServer.start();
  await using a = worker(redis.url, { syncInterval: 50 });
  await using b = worker(redis.url, { syncInterval: 50 });
  await Promise.all([a.ready, b.ready]);
  learn(a, 7, 6);
  learn(b, 4, 7);
  const deadline = Date.now() + 5000;
  while (a.schedule.samples !== 11 || b.schedule.samples !== 11) {
    if (Date.now() > deadline) assert.fail("the workers did not share");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});

redisTest(
  "a slow Redis holds a sync no longer than the command timeout",
  async () => {
    await using redis = await RedisServer.start();
    await using w = worker(redis.url, { commandTimeout: 300 });
    await w.ready;
    learn(w, 3, 8);
    await redis.command("CLIENT", "PAUSE", "1000", "ALL");
    const started = performance.now();
    assert.equal(await w.sync(), false);
    const took = performance.now() - started;
    assert.ok(took >= 250 && took < 950, `the sync took ${took} ms`);
    assert.equal(w.schedule.samples, 3, "it learns alone meanwhile");
    assert.deepEqual(w.changes, ["local"]);
    // Once Redis answers, what was kept is shared.
    const deadline = Date.now() + 5000;
    while (!await w.sync()) {
      if (Date.now() > deadline) assert.fail("Redis did not take the sync");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(
      LearnedSchedule.fromJSON(
        (await redis.command("HGET", KEY, "schedule")).split("\r\n")[1],
      ).samples,
      3,
    );
    assert.deepEqual(w.changes, ["local", "redis"]);
  },
);

/** The number of jobs in the shared model Redis holds under `key`. */
async function sharedSamples(redis: RedisServer, key = KEY): Promise<number> {
  const text = await redis.command("HGET", key, "schedule");
  return LearnedSchedule.fromJSON(text.split("\r\n")[1]).samples;
}

redisTest(
  "a write that Redis applied after the worker gave up on it is not counted again",
  async () => {
    await using redis = await RedisServer.start();
    await using w = worker(redis.url, { commandTimeout: 300 });
    await w.ready;
    learn(w, 4, 9);
    assert.equal(await w.sync(), true);
    learn(w, 5, 10);
    // Reads go on, writes wait: the write times out here, and Redis
    // applies it once the pause ends.
    await redis.command("CLIENT", "PAUSE", "700", "WRITE");
    assert.equal(await w.sync(), false);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await syncOnceBack(w);
    learn(w, 1, 11);
    await syncOnceBack(w);
    assert.equal(await sharedSamples(redis), 10);
    assert.equal(w.schedule.samples, 10);
    // What Redis remembers of each write expires, within the hour.
    const keys = (await redis.command("KEYS", `${KEY}:write:*`))
      .split("\r\n").filter((line) => line.startsWith(`${KEY}:write:`));
    assert.ok(keys.length >= 3, `${keys.length} write keys`);
    for (const key of keys) {
      const ttl = Number((await redis.command("PTTL", key)).slice(1));
      assert.ok(ttl > 0 && ttl <= 3_600_000, `${key} expires in ${ttl} ms`);
    }
  },
);

redisTest(
  "a shared document whose revision is not a count is an error, never a silent stop",
  async () => {
    await using redis = await RedisServer.start();
    const valid = JSON.stringify(new LearnedSchedule().toJSON());
    for (const revision of ["abc", "-1", "1.5"]) {
      await redis.command("DEL", KEY);
      await redis.command("HSET", KEY, "revision", revision, "schedule", valid);
      await using w = worker(redis.url);
      await w.ready;
      learn(w, 2, 12);
      assert.equal(await w.sync(), false, revision);
      assert.deepEqual(w.changes, ["local"], revision);
      assert.ok(w.causes[0] instanceof TypeError, String(w.causes[0]));
      assert.match(String(w.causes[0]), /revision/);
      assert.equal(
        await redis.command("HGET", KEY, "revision"),
        `$${revision.length}\r\n${revision}\r\n`,
      );
    }
  },
);

redisTest(
  "a key holding another program's hash is never written into",
  async () => {
    await using redis = await RedisServer.start();
    await redis.command("HSET", KEY, "owner", "someone else");
    await using w = worker(redis.url);
    await w.ready;
    learn(w, 3, 13);
    assert.equal(await w.sync(), false);
    assert.deepEqual(w.changes, ["local"]);
    assert.ok(w.causes[0] instanceof TypeError, String(w.causes[0]));
    assert.equal(await redis.command("HLEN", KEY), ":1\r\n");
    // A key of another type is refused too, with Redis's own error.
    await redis.command("DEL", KEY);
    await redis.command("SET", KEY, "a string");
    await using v = worker(redis.url);
    await v.ready;
    assert.deepEqual(v.changes, ["local"]);
    assert.equal(await redis.command("GET", KEY), "$8\r\na string\r\n");
  },
);

redisTest(
  "a write lost with its connection before Redis ran it is shared again, once",
  async () => {
    await using redis = await RedisServer.start();
    await using w = worker(redis.url, { commandTimeout: 300 });
    await w.ready;
    learn(w, 4, 14);
    assert.equal(await w.sync(), true);
    learn(w, 5, 15);
    await redis.command("CLIENT", "PAUSE", "1000", "WRITE");
    assert.equal(await w.sync(), false);
    // The worker's connection goes, with the write Redis still holds.
    await redis.command("CLIENT", "KILL", "TYPE", "normal");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await syncOnceBack(w);
    assert.equal(await sharedSamples(redis), 9);
    assert.equal(w.schedule.samples, 9);
  },
);

redisTest(
  "close() returns within a few command timeouts when Redis is slow or gone",
  async () => {
    await using redis = await RedisServer.start();
    const slow = worker(redis.url, { commandTimeout: 300 });
    const gone = worker(redis.url, { key: `${KEY}:gone`, commandTimeout: 300 });
    await Promise.all([slow.ready, gone.ready]);
    learn(slow, 3, 16);
    learn(gone, 3, 17);
    await redis.command("CLIENT", "PAUSE", "5000", "ALL");
    let started = performance.now();
    await slow.close();
    assert.ok(performance.now() - started < 1500, "close() waited on Redis");
    await redis.kill();
    started = performance.now();
    await gone.close();
    assert.ok(performance.now() - started < 1500, "close() waited on Redis");
  },
);

redisTest(
  "a worker's waits still running survive its syncs: it plans as a schedule fed the same calls",
  async () => {
    await using redis = await RedisServer.start();
    await using w = worker(redis.url);
    await using other = worker(redis.url);
    await Promise.all([w.ready, other.ready]);
    const local = new LearnedSchedule({ targetLatency: 1000 });
    // Long jobs whose waits poll sparsely: none calls between the syncs.
    for (let i = 0; i < 30; i++) {
      const context = { elapsed: 40_000 + 1000 * i, wait: `long ${i}` };
      for (const schedule of [w, local]) schedule.firstDelay(context);
    }
    const random = seededRandom(18);
    for (let i = 0; i < 30; i++) {
      const duration = 8000 + 4000 * random();
      const done = { after: duration - 500, atMost: duration };
      for (const schedule of [w, local]) schedule.observe(done);
    }
    assert.equal(await w.sync(), true);
    // The shared model has no running waits: alone, it knows short jobs.
    const shared = LearnedSchedule.fromJSON(
      (await redis.command("HGET", KEY, "schedule")).split("\r\n")[1],
    );
    assert.ok(shared.quantile(0.75)! < 13_000, `${shared.quantile(0.75)}`);
    assertSameEstimate(w.schedule, local, "after a sync");
    const next = { elapsed: 0, wait: "next" };
    assert.equal(w.firstDelay(next), local.firstDelay(next));
    // Another worker's write makes this one take the model again: still
    // with its waits running.
    learn(other, 5, 19);
    assert.equal(await other.sync(), true);
    assert.equal(await w.sync(), true);
    assert.equal(w.schedule.samples, 35);
    assert.ok(w.schedule.quantile(0.75)! > 40_000);
  },
);
