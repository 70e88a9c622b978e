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
    onDegraded: () => changes.push("degraded"),
    onRecovered: () => changes.push("recovered"),
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

/** Resolves once `check` holds, or fails after `ms`. */
async function until(
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

redisTest("an event received by A reaches a wait in B once, verified", async () => {
  await using redis = await RedisServer.start();
  await using a = instance(redis.url);
  await using b = instance(redis.url);
  const heard: WebhookEvent[] = [];
  const stop = b.source.listen("job-1", (event) => heard.push(event));
  // B's reader may not have reached Redis yet: the job's kept events cover it.
  assert.equal(await deliver(a.receiver, "msg_1", "job-1", "completed"), 204);
  await until(() => heard.length === 1, "B to hear the event");
  await settleReaders();
  stop();
  assert.deepEqual(ids(heard), ["msg_1"]);
  assert.equal(heard[0].verified, true);
  assert.equal(heard[0].reading.result, "completed");
  assert.deepEqual(heard[0].body, { id: "job-1", result: "completed" });
  assert.deepEqual([a.changes, b.changes], [[], []]);
});

redisTest("an event that arrived before its wait started is still heard", async () => {
  await using redis = await RedisServer.start();
  await using a = instance(redis.url);
  assert.equal(await deliver(a.receiver, "msg_1", "job-1", "pending"), 204);
  assert.equal(await deliver(a.receiver, "msg_2", "job-1", "completed"), 204);
  // B starts after both events, as a restarted worker would.
  await until(
    async () => await redis.command("LLEN", "test:job:job-1") === ":2\r\n",
    "A to publish both",
  );
  await using b = instance(redis.url, {}, false);
  const heard: WebhookEvent[] = [];
  b.source.listen("job-1", (event) => heard.push(event));
  await until(() => heard.length === 2, "B to hear both kept events");
  await settleReaders();
  assert.deepEqual(ids(heard), ["msg_1", "msg_2"]);
});
