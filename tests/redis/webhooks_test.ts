// Webhook fan-out with a real redis-server: "instances" are pairs of a real
// receiver and a Redis source in this process, each with its own
// connections, as two workers behind one load balancer would be.

import assert from "node:assert/strict";
import {
  createWebhookReceiver,
  VideoStatusClient,
  type WebhookEvent,
  type WebhookReceiver,
} from "../../mod.ts";
import {
  createRedisWebhookSource,
  type RedisWebhookSource,
  type RedisWebhookSourceOptions,
} from "../../redis/mod.ts";
import { serve } from "../../server.ts";
import { signWebhook } from "../../protocol/webhook_signature.ts";
import { seededRandom } from "../../util/random.ts";
import { freePort, RedisServer, redisTest } from "./_server.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** One worker: its receiver and its Redis source. */
interface Instance extends AsyncDisposable {
  receiver: WebhookReceiver;
  source: RedisWebhookSource;
  changes: string[];
}

function instance(
  url: string,
  options: Partial<RedisWebhookSourceOptions> = {},
  withReceiver = true,
): Instance {
  const receiver = createWebhookReceiver({ secret: SECRET });
  const changes: string[] = [];
  const source = createRedisWebhookSource({
    url,
    prefix: "test",
    receiver: withReceiver ? receiver : undefined,
    onFallback: ({ state }) => changes.push(state),
    ...options,
  });
  return {
    receiver,
    source,
    changes,
    [Symbol.asyncDispose]: () => source.close(),
  };
}

/** Delivers a signed callback for `jobId` to a receiver; resolves its status code. */
async function deliver(
  receiver: WebhookReceiver,
  id: string,
  jobId: string,
  result: "pending" | "completed",
): Promise<number> {
  const body = JSON.stringify({ id: jobId, result });
  const headers = await signWebhook(SECRET, {
    id,
    timestamp: Math.floor(Date.now() / 1000),
    body,
  });
  const response = await receiver.fetch(
    new Request("http://localhost/hooks", { method: "POST", headers, body }),
  );
  return response.status;
}

/** The simulator as the job API, calling back to `receiver` served on a socket. */
async function jobApiCallingBack(
  receiver: WebhookReceiver,
): Promise<{ serverUrl: string; callbackUrl: string } & AsyncDisposable> {
  const simulator = await serve({
    port: 0,
    hostname: "127.0.0.1",
    webhookSecret: SECRET,
    seed: 3,
  });
  const hooks = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    receiver.fetch,
  );
  return {
    serverUrl: `http://127.0.0.1:${simulator.port}`,
    callbackUrl: `http://127.0.0.1:${hooks.addr.port}/hooks`,
    async [Symbol.asyncDispose]() {
      await hooks.shutdown();
      await simulator[Symbol.asyncDispose]();
    },
  };
}

/** Resolves once `check` holds, or fails after `ms`. */
async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 5000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!await check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Gives the readers time to deliver a duplicate, if one were coming. */
const settleReaders = () => new Promise((resolve) => setTimeout(resolve, 150));

function ids(events: WebhookEvent[]): string[] {
  return events.map((event) => event.id);
}

redisTest(
  "an event received by A reaches a wait in B once, verified",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url);
    await using b = instance(redis.url);
    const heard: WebhookEvent[] = [];
    const stop = b.source.listen("job-1", (event) => heard.push(event));
    // B's reader may not have reached Redis yet: the job's kept events cover it.
    assert.equal(await deliver(a.receiver, "msg_1", "job-1", "completed"), 204);
    await eventually(() => heard.length === 1, "B to hear the event");
    await settleReaders();
    stop();
    assert.deepEqual(ids(heard), ["msg_1"]);
    assert.equal(heard[0].verified, true);
    assert.equal(heard[0].reading.result, "completed");
    assert.deepEqual(heard[0].body, { id: "job-1", result: "completed" });
    assert.deepEqual([a.changes, b.changes], [[], []]);
  },
);

redisTest(
  "an event that arrived before its wait started is still heard",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url);
    assert.equal(await deliver(a.receiver, "msg_1", "job-1", "pending"), 204);
    assert.equal(await deliver(a.receiver, "msg_2", "job-1", "completed"), 204);
    // B starts after both events, as a restarted worker would.
    await eventually(
      async () => await redis.command("LLEN", "test:job:job-1") === ":2\r\n",
      "A to publish both",
    );
    await using b = instance(redis.url, {}, false);
    const heard: WebhookEvent[] = [];
    b.source.listen("job-1", (event) => heard.push(event));
    await eventually(() => heard.length === 2, "B to hear both kept events");
    await settleReaders();
    assert.deepEqual(ids(heard), ["msg_1", "msg_2"]);
  },
);

redisTest(
  "the same webhook received by two instances reaches each wait once",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url);
    await using b = instance(redis.url);
    await using c = instance(redis.url, {}, false);
    const heard = new Map<string, string[]>();
    for (const [name, each] of [["a", a], ["b", b], ["c", c]] as const) {
      heard.set(name, []);
      each.source.listen("job-1", (event) => heard.get(name)!.push(event.id));
    }
    // The sender retried: one copy reached A, the other B, at the same time.
    const statuses = await Promise.all([
      deliver(a.receiver, "msg_1", "job-1", "completed"),
      deliver(b.receiver, "msg_1", "job-1", "completed"),
    ]);
    assert.deepEqual(statuses, [204, 204]);
    await eventually(
      () => [...heard.values()].every((list) => list.length === 1),
      "every wait to hear it",
    );
    await settleReaders();
    assert.deepEqual(Object.fromEntries(heard), {
      a: ["msg_1"],
      b: ["msg_1"],
      c: ["msg_1"],
    });
    assert.equal(await redis.command("XLEN", "test:stream"), ":1\r\n");
  },
);

redisTest(
  "for any deliveries and wait starts, each wait hears each event of its job once",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url);
    await using b = instance(redis.url);
    const instances = [a, b];
    for (let seed = 1; seed <= 8; seed++) {
      const random = seededRandom(seed);
      const pick = <T>(list: readonly T[]): T =>
        list[Math.floor(random() * list.length)];
      const jobs = [`job-${seed}-a`, `job-${seed}-b`];
      const sent = new Map<string, Set<string>>(
        jobs.map((job) => [job, new Set()]),
      );
      const waits: Array<{ jobId: string; heard: string[]; stop: () => void }> =
        [];
      for (let step = 0; step < 12; step++) {
        const jobId = pick(jobs);
        if (random() < 0.3) {
          const heard: string[] = [];
          const stop = pick(instances).source.listen(
            jobId,
            (e) => heard.push(e.id),
          );
          waits.push({ jobId, heard, stop });
        } else {
          // Ids repeat: a sender's retries, to either instance.
          const id = `msg_${seed}_${Math.floor(random() * 4)}`;
          const eventJob = [...sent].find(([, ids]) => ids.has(id))?.[0] ??
            jobId;
          sent.get(eventJob)!.add(id);
          await deliver(pick(instances).receiver, id, eventJob, "pending");
        }
      }
      await eventually(
        () => waits.every((w) => w.heard.length === sent.get(w.jobId)!.size),
        `seed ${seed}: every wait to hear its job's events`,
      );
      await settleReaders();
      for (const wait of waits) {
        wait.stop();
        assert.deepEqual(
          [...wait.heard].sort(),
          [...sent.get(wait.jobId)!].sort(),
          `seed ${seed}, ${wait.jobId}`,
        );
      }
    }
  },
);

redisTest(
  "a client in B ends its wait on the callback A received, with the result once",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url);
    await using b = instance(redis.url);
    await using api = await jobApiCallingBack(a.receiver);
    const requests: string[] = [];
    const client = new VideoStatusClient({
      serverUrl: api.serverUrl,
      strategy: "poll",
      webhooks: b.source,
      fetch: (input, init) => {
        requests.push(new Request(input, init).method);
        return fetch(input, init);
      },
    });
    const job = await client.createJob({
      duration: 300,
      outcome: "completed",
      callbackUrl: api.callbackUrl,
    });
    const finals: string[] = [];
    const started = performance.now();
    const final = await client.waitForJob(job, {
      onUpdate: (update) => {
        if (update.result !== "pending") finals.push(update.source);
      },
    });
    assert.equal(final.result, "completed");
    assert.equal(final.source, "webhook");
    assert.deepEqual(finals, ["webhook"]);
    // The safety poll is a minute away: only the fan-out can end it this soon.
    assert.ok(performance.now() - started < 10_000);
    assert.deepEqual(requests, ["POST", "GET"]);
  },
);

redisTest(
  "Redis killed mid-wait: the wait still ends by polling, and events flow again once it is back",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url);
    await using b = instance(redis.url);
    await using api = await jobApiCallingBack(a.receiver);
    // Instance B waits; the job calls back to instance A.
    const client = new VideoStatusClient({
      serverUrl: api.serverUrl,
      strategy: "poll",
      webhooks: b.source,
      webhookSafetyDelay: 400,
    });
    const job = await client.createJob({
      duration: 300,
      outcome: "completed",
      callbackUrl: api.callbackUrl,
    });
    await redis.kill();
    const final = await client.waitForJob(job, { timeout: 10_000 });
    assert.equal(final.result, "completed");
    assert.equal(final.source, "poll");
    await eventually(
      () => a.source.degraded && b.source.degraded,
      "both degraded",
    );
    assert.deepEqual([a.changes, b.changes], [["local"], ["local"]]);

    // Received while Redis is down: kept by A, published once it is back.
    const heard: string[] = [];
    b.source.listen("job-2", (event) => heard.push(event.id));
    assert.equal(
      await deliver(a.receiver, "msg_down", "job-2", "completed"),
      204,
    );
    await redis.restart();
    await eventually(() => heard.length === 1, "the kept event to reach B");
    await settleReaders();
    assert.deepEqual(heard, ["msg_down"]);
    assert.deepEqual([a.changes, b.changes], [
      ["local", "redis"],
      ["local", "redis"],
    ]);
    assert.equal(b.source.degraded, false);
  },
);

redisTest(
  "Redis unreachable at start: nothing waits on it, and the source recovers when it comes",
  async () => {
    const port = await freePort();
    await using a = instance(`redis://127.0.0.1:${port}`);
    await using b = instance(`redis://127.0.0.1:${port}`);
    const heard: string[] = [];
    const started = performance.now();
    b.source.listen("job-1", (event) => heard.push(event.id));
    // A's own waits hear A's receiver without Redis.
    const local: string[] = [];
    a.source.listen("job-1", (event) => local.push(event.id));
    assert.equal(await deliver(a.receiver, "msg_1", "job-1", "completed"), 204);
    assert.deepEqual(local, ["msg_1"]);
    assert.ok(
      performance.now() - started < 1000,
      "listen and receive never wait",
    );
    await eventually(
      () => a.source.degraded && b.source.degraded,
      "both degraded",
    );
    await using redis = await RedisServer.start(port);
    await eventually(
      () => heard.length === 1,
      "B to hear A's event once Redis is up",
    );
    await settleReaders();
    assert.deepEqual([heard, local], [["msg_1"], ["msg_1"]]);
    assert.deepEqual(b.changes, ["local", "redis"]);
    assert.equal(redis.running, true);
  },
);

redisTest(
  "what the fan-out keeps in Redis is bounded and expires",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url, { maxKept: 10, keepFor: 60_000 });
    // Connected first: until then at most `maxKept` events wait to be published.
    await deliver(a.receiver, "msg_first", "job-0", "pending");
    await eventually(
      async () =>
        await redis.command("EXISTS", "test:seen:v:msg_first") === ":1\r\n",
      "A to connect",
    );
    for (let i = 0; i < 300; i++) {
      assert.equal(
        await deliver(a.receiver, `msg_${i}`, `job-${i % 3}`, "pending"),
        204,
      );
    }
    await eventually(
      async () =>
        await redis.command("EXISTS", "test:seen:v:msg_299") === ":1\r\n",
      "A to publish every event",
    );
    const length = Number(
      (await redis.command("XLEN", "test:stream")).slice(1),
    );
    // Trimmed by whole nodes of the stream (`MAXLEN ~`): about the bound, far below 300.
    assert.ok(length >= 10 && length <= 110, `stream length ${length}`);
    assert.equal(await redis.command("LLEN", "test:job:job-0"), ":16\r\n");
    for (
      const key of [
        "test:stream",
        "test:stream:count",
        "test:job:job-0",
        "test:seen:v:msg_299",
      ]
    ) {
      const ttl = Number((await redis.command("PTTL", key)).slice(1));
      assert.ok(ttl > 0 && ttl <= 60_000, `${key} expires in ${ttl} ms`);
    }
  },
);

redisTest(
  "a Redis that stops answering holds up neither a wait nor close()",
  async () => {
    await using redis = await RedisServer.start();
    const a = instance(redis.url);
    await deliver(a.receiver, "msg_0", "job-0", "completed");
    await eventually(
      async () =>
        await redis.command("EXISTS", "test:seen:v:msg_0") === ":1\r\n",
      "A to publish",
    );
    // Slow, not down: the connections stay open and nothing answers.
    await redis.command("CLIENT", "PAUSE", "5000", "WRITE");
    const heard: string[] = [];
    const started = performance.now();
    a.source.listen("job-1", (event) => heard.push(event.id));
    assert.equal(await deliver(a.receiver, "msg_1", "job-1", "completed"), 204);
    assert.deepEqual(heard, ["msg_1"]);
    await a.source.close();
    assert.ok(performance.now() - started < 500, "a call waited for Redis");
  },
);

redisTest(
  "only verified events travel through Redis: a hint or a forged event stays where it arrived",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url);
    await using b = instance(redis.url);
    // An instance whose receiver has no secret: its events are only hints.
    const unsigned = createWebhookReceiver();
    await using open = createRedisWebhookSource({
      url: redis.url,
      prefix: "test",
      receiver: unsigned,
    });
    const heardA: WebhookEvent[] = [];
    const heardB: WebhookEvent[] = [];
    const heardOpen: WebhookEvent[] = [];
    a.source.listen("job-1", (event) => heardA.push(event));
    b.source.listen("job-1", (event) => heardB.push(event));
    open.listen("job-1", (event) => heardOpen.push(event));
    await eventually(
      () => !a.source.degraded && !b.source.degraded && !open.degraded,
      "every instance to reach Redis",
    );
    await settleReaders();
    // A forged signature is refused, and an unsigned callback is a local hint.
    const body = JSON.stringify({ id: "job-1", result: "completed" });
    const forged = await a.receiver.fetch(
      new Request("http://localhost/hooks", {
        method: "POST",
        headers: {
          "webhook-id": "msg_forged",
          "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
          "webhook-signature":
            "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        },
        body,
      }),
    );
    assert.equal(forged.status, 401);
    const hint = await unsigned.fetch(
      new Request("http://localhost/hooks", {
        method: "POST",
        headers: { "webhook-id": "msg_hint" },
        body,
      }),
    );
    assert.equal(hint.status, 204);
    assert.deepEqual(heardOpen.map((e) => [e.id, e.verified]), [
      ["msg_hint", false],
    ]);
    // A foreign writer's unverified entry in the stream reaches no wait either.
    const foreign = JSON.stringify({
      id: "msg_foreign",
      jobId: "job-1",
      reading: { result: "completed", status: "completed", payload: null },
      body: { id: "job-1", result: "completed" },
      verified: false,
      receivedAt: Date.now(),
    });
    await redis.command("XADD", "test:stream", "*", "event", foreign);
    await redis.command("RPUSH", "test:job:job-1", foreign);
    b.source.listen("job-1", (event) => heardB.push(event));
    // A verified event after them is heard, so the readers did read past them.
    assert.equal(
      await deliver(a.receiver, "msg_real", "job-1", "pending"),
      204,
    );
    await eventually(() => heardB.length >= 2, "B to hear the real event");
    await settleReaders();
    assert.deepEqual(ids(heardA), ["msg_real"]);
    assert.deepEqual(ids(heardB), ["msg_real", "msg_real"]);
    assert.deepEqual(ids(heardOpen), ["msg_hint", "msg_real"]);
    assert.equal(await redis.command("XLEN", "test:stream"), ":2\r\n");
    assert.equal(
      await redis.command("EXISTS", "test:seen:u:msg_hint"),
      ":0\r\n",
    );
  },
);

redisTest(
  "many jobs at once: every wait in every instance hears its job's event once",
  async () => {
    await using redis = await RedisServer.start();
    const instances = [
      instance(redis.url),
      instance(redis.url),
      instance(redis.url),
    ];
    try {
      const jobs = Array.from({ length: 300 }, (_, i) => `job-${i}`);
      const heard = new Map<string, string[]>();
      const listen = (jobId: string, at: number) => {
        const key = `${jobId}@${at}`;
        heard.set(key, []);
        instances[at].source.listen(
          jobId,
          (event) => heard.get(key)!.push(event.id),
        );
      };
      // Half the waits start before their event, on another instance than
      // the one that receives it; the other half start after.
      jobs.forEach((jobId, i) => {
        if (i % 2 === 0) listen(jobId, (i + 1) % 3);
      });
      await Promise.all(
        jobs.flatMap((jobId, i) => [
          deliver(instances[i % 3].receiver, `msg_${i}`, jobId, "completed"),
          // The sender retried to the next instance.
          deliver(
            instances[(i + 1) % 3].receiver,
            `msg_${i}`,
            jobId,
            "completed",
          ),
        ]),
      );
      jobs.forEach((jobId, i) => {
        if (i % 2 === 1) listen(jobId, (i + 2) % 3);
      });
      await eventually(
        () => [...heard.values()].every((list) => list.length >= 1),
        "every wait to hear its event",
        10_000,
      );
      await settleReaders();
      for (const [key, list] of heard) {
        assert.deepEqual(list, [`msg_${key.split("@")[0].slice(4)}`], key);
      }
      assert.equal(await redis.command("XLEN", "test:stream"), ":300\r\n");
    } finally {
      await Promise.all(instances.map((each) => each.source.close()));
    }
  },
);

redisTest(
  "a wait started after Redis restarted hears the events received since, once",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url);
    await using b = instance(redis.url);
    await eventually(
      () => !a.source.degraded && !b.source.degraded,
      "both to reach Redis",
    );
    await redis.kill();
    await eventually(
      () => a.source.degraded && b.source.degraded,
      "both degraded",
    );
    await redis.restart();
    await eventually(
      () => !a.source.degraded && !b.source.degraded,
      "both to reach Redis again",
    );
    assert.equal(await deliver(a.receiver, "msg_1", "job-1", "completed"), 204);
    await eventually(
      async () => await redis.command("LLEN", "test:job:job-1") === ":1\r\n",
      "A to publish",
    );
    const heard: string[] = [];
    b.source.listen("job-1", (event) => heard.push(event.id));
    // And one that arrives while the wait listens.
    assert.equal(await deliver(a.receiver, "msg_2", "job-1", "completed"), 204);
    await eventually(() => heard.length === 2, "B to hear both");
    await settleReaders();
    // The kept one may come after the live one: each once is what counts.
    assert.deepEqual(heard.toSorted(), ["msg_1", "msg_2"]);
  },
);

redisTest(
  "a burst larger than the stream holds still reaches every wait in another instance",
  async () => {
    await using redis = await RedisServer.start();
    await using a = instance(redis.url, { maxKept: 20 });
    await using b = instance(redis.url, { maxKept: 20 }, false);
    await eventually(
      () => !a.source.degraded && !b.source.degraded,
      "both to reach Redis",
    );
    await settleReaders();
    const heard = new Map<string, string[]>();
    for (let i = 0; i < 400; i++) {
      heard.set(`job-${i}`, []);
      b.source.listen(
        `job-${i}`,
        (event) => heard.get(event.jobId)!.push(event.id),
      );
    }
    await settleReaders();
    // Faster than B reads: the stream is trimmed past entries B has not read.
    await Promise.all(
      [...heard.keys()].map((jobId, i) =>
        deliver(a.receiver, `msg_${i}`, jobId, "completed")
      ),
    );
    await eventually(
      () => [...heard.values()].every((list) => list.length >= 1),
      "every wait to hear its event (polling aside)",
    );
    await settleReaders();
    for (const [jobId, list] of heard) {
      assert.deepEqual(list, [`msg_${jobId.slice(4)}`], jobId);
    }
  },
);
