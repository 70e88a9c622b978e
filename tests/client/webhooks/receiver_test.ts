import assert from "node:assert/strict";
import {
  createWebhookReceiver,
  type WebhookEvent,
  type WebhookReceiverOptions,
} from "../../../client/webhooks/receiver.ts";
import { signWebhook } from "../../../protocol/webhook_signature.ts";
import { FakeClock } from "../../../testing/fake_clock.ts";
import { seededRandom } from "../../../util/random.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD_SECRET = "whsec_" + btoa("the key used before the rotation");
const START = 1_700_000_000_000;

interface Send {
  id?: string;
  job?: string;
  result?: string;
  secret?: string | null;
  /** Unix seconds; defaults to the clock's now. */
  timestamp?: number;
  body?: string;
  headers?: Record<string, string>;
}

function setup(options: WebhookReceiverOptions = {}) {
  const clock = new FakeClock({ start: START, autoAdvance: false });
  const receiver = createWebhookReceiver({ secret: SECRET, clock, ...options });
  async function send(send: Send = {}): Promise<Response> {
    const body = send.body ??
      JSON.stringify({
        id: send.job ?? "job-1",
        result: send.result ?? "completed",
      });
    const id = send.id ?? "msg_1";
    const timestamp = send.timestamp ?? Math.floor(clock.now() / 1000);
    const secret = send.secret === undefined ? SECRET : send.secret;
    const headers = secret === null
      ? { "webhook-id": id }
      : await signWebhook(secret, { id, timestamp, body });
    return receiver.fetch(
      new Request("http://localhost/hooks", {
        method: "POST",
        headers: { ...headers, ...send.headers },
        body,
      }),
    );
  }
  function heard(
    jobId = "job-1",
  ): { events: WebhookEvent[]; stop: () => void } {
    const events: WebhookEvent[] = [];
    const stop = receiver.listen(jobId, (event) => events.push(event));
    return { events, stop };
  }
  return { clock, receiver, send, heard };
}

Deno.test("createWebhookReceiver() delivers a signed event live, verified, read by the dialect", async () => {
  const { send, heard, clock } = setup();
  const { events } = heard();
  const response = await send();
  assert.equal(response.status, 204);
  assert.equal(events.length, 1);
  assert.deepEqual(events[0], {
    id: "msg_1",
    jobId: "job-1",
    reading: {
      result: "completed",
      status: "completed",
      payload: { id: "job-1", result: "completed" },
    },
    body: { id: "job-1", result: "completed" },
    verified: true,
    receivedAt: clock.now(),
  });
});

Deno.test("a bad, missing, stale or future signature answers 401 and reaches no listener", async (t) => {
  const { send, heard, clock } = setup();
  const { events } = heard();
  const now = Math.floor(clock.now() / 1000);
  const cases: Record<string, Send> = {
    "another secret": {
      secret: "whsec_" + btoa("not the receiver's own key!"),
    },
    "no signature at all": { secret: null },
    "a tampered body": {
      headers: {
        "webhook-signature": (await signWebhook(SECRET, {
          id: "msg_1",
          timestamp: now,
          body: "{}",
        }))["webhook-signature"],
      },
    },
    "a replay 6 minutes old": { timestamp: now - 360 },
    "a timestamp 6 minutes ahead": { timestamp: now + 360 },
  };
  for (const [name, forged] of Object.entries(cases)) {
    await t.step(name, async () => {
      const response = await send(forged);
      assert.equal(response.status, 401);
      assert.match(await response.text(), /^Refused: /);
    });
  }
  assert.deepEqual(events, []);
  // Nothing was kept either: a later listener hears nothing.
  assert.deepEqual(heard().events, []);
  // And the forged ids were not remembered: the real message still gets in.
  assert.equal((await send()).status, 204);
  assert.equal(events.length, 1);
});

Deno.test("a message signed with any of the rotated secrets is accepted", async () => {
  const { send, heard } = setup({ secret: [SECRET, OLD_SECRET] });
  const { events } = heard();
  assert.equal((await send({ id: "a", secret: OLD_SECRET })).status, 204);
  assert.equal((await send({ id: "b", secret: SECRET })).status, 204);
  assert.equal(
    (await send({ id: "c", secret: "whsec_" + btoa("a third key") })).status,
    401,
  );
  assert.deepEqual(events.map((event) => event.id), ["a", "b"]);
});

Deno.test("tolerance is an option", async () => {
  const { send } = setup({ tolerance: 10_000 });
  const now = Math.floor(START / 1000);
  assert.equal((await send({ id: "a", timestamp: now - 10 })).status, 204);
  assert.equal((await send({ id: "b", timestamp: now - 11 })).status, 401);
});

Deno.test("a duplicate webhook-id answers 200 and is delivered once", async () => {
  const { send, heard } = setup();
  const { events } = heard();
  const answers = await Promise.all([send(), send(), send()]);
  assert.deepEqual(answers.map((r) => r.status).sort(), [200, 200, 204]);
  assert.equal((await send()).status, 200);
  assert.equal(events.length, 1);
});

Deno.test("an event that arrived before the wait is replayed at once, then live ones follow", async () => {
  const { send, heard } = setup();
  await send({ id: "a", result: "pending" });
  await send({ id: "other", job: "job-2" });
  const { events } = heard();
  assert.deepEqual(events.map((event) => event.id), ["a"]);
  await send({ id: "b", result: "completed" });
  assert.deepEqual(events.map((event) => event.id), ["a", "b"]);
});

Deno.test("several listeners of a job each hear it; a stopped one hears no more", async () => {
  const { send, heard } = setup();
  const first = heard();
  const second = heard();
  await send({ id: "a", result: "pending" });
  first.stop();
  await send({ id: "b" });
  assert.deepEqual(first.events.map((event) => event.id), ["a"]);
  assert.deepEqual(second.events.map((event) => event.id), ["a", "b"]);
});

Deno.test("listenAll() hears each accepted event of any job once, without replay, until stopped", async () => {
  const { send, receiver } = setup();
  assert.equal((await send({ id: "msg_0", job: "job-0" })).status, 204);
  const all: string[] = [];
  const stop = receiver.listenAll((event) =>
    all.push(`${event.jobId} ${event.id}`)
  );
  assert.deepEqual(all, [], "nothing kept is replayed");
  assert.equal((await send({ id: "msg_1", job: "job-1" })).status, 204);
  assert.equal((await send({ id: "msg_2", job: "job-2" })).status, 204);
  assert.equal((await send({ id: "msg_1", job: "job-1" })).status, 200);
  assert.equal((await send({ id: "msg_3", secret: OLD_SECRET })).status, 401);
  stop();
  assert.equal((await send({ id: "msg_4", job: "job-1" })).status, 204);
  assert.deepEqual(all, ["job-1 msg_1", "job-2 msg_2"]);
});

Deno.test("a pending event after a final one does not replace the kept final", async () => {
  const { send, heard } = setup();
  await send({ id: "final", result: "error" });
  await send({ id: "late", result: "pending" });
  assert.deepEqual(heard().events.map((event) => event.id), ["final"]);
  await send({ id: "pending-first", job: "job-2", result: "pending" });
  await send({ id: "done", job: "job-2", result: "completed" });
  assert.deepEqual(heard("job-2").events.map((event) => event.id), ["done"]);
});

Deno.test("kept events expire after keepFor and beyond maxKept jobs", async () => {
  const { send, heard, clock } = setup({ keepFor: 60_000, maxKept: 2 });
  for (const job of ["j1", "j2", "j3"]) await send({ id: job, job });
  assert.deepEqual(heard("j1").events, []);
  assert.equal(heard("j2").events.length, 1);
  await clock.tick(60_000);
  assert.deepEqual(heard("j3").events, []);
});

Deno.test("the kept events and remembered ids stay within maxKept and keepFor under any sequence (seeded property)", async () => {
  for (const seed of [7, 8, 9]) {
    const random = seededRandom(seed);
    const maxKept = 1 + Math.floor(random() * 8);
    const keepFor = 1_000 + Math.floor(random() * 20_000);
    const { send, heard, clock } = setup({ maxKept, keepFor, tolerance: 1e9 });
    const lastSent = new Map<string, number>();
    for (let step = 0; step < 150; step++) {
      const job = `job-${Math.floor(random() * 30)}`;
      const id = `msg-${Math.floor(random() * 60)}`;
      const result = random() < 0.5 ? "pending" : "completed";
      const status = (await send({ id, job, result })).status;
      assert.ok(status === 204 || status === 200);
      if (status === 204) lastSent.set(job, clock.now());
      if (random() < 0.3) await clock.tick(Math.floor(random() * 3_000));
    }
    const replaying = [...lastSent.keys()].filter((job) => {
      const { events, stop } = heard(job);
      stop();
      for (const event of events) {
        assert.ok(clock.now() - event.receivedAt < keepFor, `seed ${seed}`);
      }
      return events.length > 0;
    });
    assert.ok(replaying.length <= maxKept, `seed ${seed}: ${replaying.length}`);
  }
});

Deno.test("without a secret, events are accepted as hints (verified: false)", async () => {
  const { send, heard } = setup({ secret: undefined });
  const { events } = heard();
  assert.equal((await send({ secret: null })).status, 204);
  assert.equal(events[0].verified, false);
  const noId = await send({ secret: null, headers: { "webhook-id": "" } });
  assert.equal(noId.status, 204); // an empty id is still an id
});

Deno.test("the receiver answers 405, 413 and 400 for what is not an event", async (t) => {
  const { receiver, send, heard } = setup({ maxBodyBytes: 100 });
  const { events } = heard();
  await t.step("405 for GET", async () => {
    const response = await receiver.fetch(new Request("http://localhost/"));
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "POST");
  });
  await t.step("413 for a body over maxBodyBytes", async () => {
    const response = await send({
      body: JSON.stringify({ id: "x".repeat(101) }),
    });
    assert.equal(response.status, 413);
  });
  await t.step("413 stops reading an endless body", async () => {
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(64));
      },
    });
    const response = await receiver.fetch(
      new Request("http://localhost/", { method: "POST", body: endless }),
    );
    assert.equal(response.status, 413);
    assert.ok(pulls < 10, `${pulls} chunks pulled`);
  });
  await t.step("400 for a body that is not JSON", async () => {
    assert.equal((await send({ body: "{not json" })).status, 400);
  });
  await t.step("400 for a body without a job id", async () => {
    assert.equal((await send({ body: '{"result":"completed"}' })).status, 400);
  });
  await t.step("400 for a status word the dialect does not know", async () => {
    const response = await send({ result: "archived" });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /archived/);
  });
  await t.step("400 for a body that is not UTF-8", async () => {
    const response = await receiver.fetch(
      new Request("http://localhost/", {
        method: "POST",
        body: new Uint8Array([0x7b, 0xff, 0x7d]),
      }),
    );
    assert.equal(response.status, 400);
  });
  assert.deepEqual(events, []);
});

Deno.test("without a secret, an event without webhook-id answers 400", async () => {
  const { receiver } = setup({ secret: undefined });
  const response = await receiver.fetch(
    new Request("http://localhost/", {
      method: "POST",
      body: JSON.stringify({ id: "job-1", result: "completed" }),
    }),
  );
  assert.equal(response.status, 400);
});

Deno.test("the dialect option reads the vendor's body and id", async () => {
  const { send, heard } = setup({ dialect: "replicate" });
  const { events } = heard("p1");
  const body = JSON.stringify({
    id: "p1",
    status: "succeeded",
    output: "https://cdn.test/v.mp4",
  });
  assert.equal((await send({ body })).status, 204);
  assert.equal(events[0].reading.result, "completed");
});

Deno.test("a listener that throws neither stops the others nor is swallowed", async () => {
  const { receiver, send, heard } = setup();
  receiver.listen("job-1", () => {
    throw new Error("listener failed");
  });
  const { events } = heard();
  await assert.rejects(send(), { message: "listener failed" });
  assert.equal(events.length, 1);
});

Deno.test("createWebhookReceiver() refuses malformed options", () => {
  assert.throws(() => createWebhookReceiver({ secret: "whsec_not base64!" }), {
    name: "TypeError",
    message:
      /'secret' must be "whsec_" followed by the base64 of the key \(scheme standard-webhooks\): current value is a string of 17 characters$/,
  });
  assert.throws(
    () => createWebhookReceiver({ secret: [SECRET, ""] }),
    TypeError,
  );
  assert.throws(
    () => createWebhookReceiver({ dialect: "sora" as "replicate" }),
    TypeError,
  );
  for (const name of ["tolerance", "maxBodyBytes", "maxKept", "keepFor"]) {
    assert.throws(() => createWebhookReceiver({ [name]: -1 }), {
      name: "RangeError",
      message: new RegExp(
        `Cannot create the webhook receiver as '${name}' must be`,
      ),
    });
  }
});
