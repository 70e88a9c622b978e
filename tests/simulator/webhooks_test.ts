import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createSimulator, type Simulator } from "../../server.ts";
import { PRESETS } from "../../protocol/dialects/mod.ts";
import { verifyWebhook } from "../../protocol/webhook_signature.ts";
import { STANDARD_WEBHOOKS } from "../../protocol/webhook_schemes/standard.ts";
import { FakeClock, settle } from "../../testing/fake_clock.ts";
import { WEBHOOK_RETRY } from "../../simulator/webhooks.ts";
import { BASE, get } from "./_requests.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const HOOK = "http://127.0.0.1:9/hooks";

/** One callback as the receiver saw it. */
interface Received {
  readonly headers: Headers;
  readonly body: string;
  readonly at: number;
  readonly redirect: RequestRedirect;
}

/**
 * A receiver in place of `fetch`: records each POST and answers with the
 * next status of `statuses` (the last repeats); `"hang"` never answers but
 * rejects when aborted, as a network fetch does.
 */
function receiver(clock: FakeClock, statuses: (number | "hang")[] = [204]) {
  const received: Received[] = [];
  const aborted: unknown[] = [];
  const fetch = async (
    input: RequestInfo | URL,
    init?: RequestInit,
  ): Promise<Response> => {
    const request = new Request(input, init);
    received.push({
      headers: request.headers,
      body: await request.text(),
      at: clock.now(),
      redirect: request.redirect,
    });
    const status = statuses[Math.min(received.length, statuses.length) - 1];
    if (status === "hang") {
      return await new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener("abort", () => {
          aborted.push(init.signal!.reason);
          reject(init.signal!.reason);
        });
      });
    }
    return new Response(null, { status });
  };
  return { fetch, received, aborted };
}

/** Lets async work run a while, to show that nothing more happens. */
async function quiet(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await settle();
}

/** Lets async work (signing, fetch) run until `done()` or a bound. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 200 && !done(); turn++) await settle();
}

async function createWithCallback(
  simulator: Simulator,
  script: Record<string, unknown>,
): Promise<Response> {
  return await simulator.fetch(
    new Request(`${BASE}/jobs`, {
      method: "POST",
      body: JSON.stringify(script),
    }),
  );
}

/** Creates a job of `duration` seconds with a callback to {@linkcode HOOK}. */
async function startJob(simulator: Simulator, duration = 0): Promise<void> {
  const response = await createWithCallback(simulator, {
    duration,
    callback_url: HOOK,
  });
  assert.equal(response.status, 201);
  await response.body?.cancel();
}

for (const [name, dialect] of Object.entries(PRESETS)) {
  Deno.test(`a ${name} job's callback carries its final view, signed`, async () => {
    const clock = new FakeClock({
      start: 1_700_000_000_000,
      autoAdvance: false,
    });
    const { fetch, received } = receiver(clock);
    await using simulator = createSimulator({
      clock,
      fetch,
      dialect: name,
      webhookSecret: SECRET,
      seed: 1,
    });
    const created = await createWithCallback(simulator, {
      duration: 2,
      outcome: "completed",
      callback_url: HOOK,
    });
    assert.equal(created.status, 201);
    const location = created.headers.get("location")!;
    const jobId = dialect.idOf(await created.json());
    assert.notEqual(jobId, undefined);
    await clock.tick(1_999);
    await quiet();
    assert.equal(received.length, 0, "nothing before the job ends");
    await clock.tick(1);
    await until(() => received.length > 0);
    assert.equal(received.length, 1);
    const [event] = received;
    const answer = await (await get(simulator, location)).json();
    assert.deepEqual(JSON.parse(event.body), answer);
    assert.equal(event.headers.get("content-type"), "application/json");
    // Signed the way the dialect's API signs, and only that way.
    const scheme = dialect.webhookScheme ?? STANDARD_WEBHOOKS;
    assert.equal(
      await scheme.verify(SECRET, event.headers, event.body, clock.now(), 0),
      true,
    );
    assert.notEqual(
      await scheme.messageId(event.headers, event.body),
      undefined,
    );
    if (scheme === STANDARD_WEBHOOKS) {
      assert.match(event.headers.get("webhook-id")!, /^msg_\w+$/);
      assert.equal(
        event.headers.get("webhook-timestamp"),
        String(Math.floor(clock.now() / 1_000)),
      );
    } else {
      assert.equal(event.headers.get("webhook-signature"), null);
      assert.notEqual(
        await verifyWebhook(SECRET, event.headers, event.body, clock.now()),
        true,
      );
    }
    assert.equal(dialect.idOf(JSON.parse(event.body)), jobId);
  });
}

Deno.test("without a secret a callback carries its id and timestamp but no signature", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const { fetch, received } = receiver(clock);
  await using simulator = createSimulator({ clock, fetch, seed: 2 });
  await (await createWithCallback(simulator, {
    duration: 0,
    callback_url: "http://localhost:8080/hooks",
  })).body?.cancel();
  await clock.tick(0);
  await until(() => received.length > 0);
  assert.equal(received.length, 1);
  assert.equal(received[0].headers.get("webhook-signature"), null);
  assert.match(received[0].headers.get("webhook-id")!, /^msg_/);
});

Deno.test("without a secret a HeyGen callback carries no signature headers, as HeyGen's carry none", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const { fetch, received } = receiver(clock);
  await using simulator = createSimulator({
    clock,
    fetch,
    seed: 2,
    dialect: "heygen-translate",
  });
  await startJob(simulator);
  await clock.tick(0);
  await until(() => received.length > 0);
  assert.deepEqual([...received[0].headers.keys()], ["content-type"]);
});

Deno.test("each job's callback has its own webhook-id", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const { fetch, received } = receiver(clock);
  await using simulator = createSimulator({ clock, fetch, seed: 3 });
  for (let i = 0; i < 5; i++) {
    await startJob(simulator);
  }
  await clock.tick(0);
  await until(() => received.length === 5);
  const ids = new Set(received.map((event) => event.headers.get("webhook-id")));
  assert.equal(ids.size, 5);
});

Deno.test("a failed callback is retried with backoff, keeping its id, and signed anew", async () => {
  const clock = new FakeClock({ start: 1_700_000_000_000, autoAdvance: false });
  const { fetch, received } = receiver(clock, [500, 503, 404, 204]);
  await using simulator = createSimulator({
    clock,
    fetch,
    webhookSecret: SECRET,
    seed: 4,
  });
  await startJob(simulator);
  const start = clock.now();
  await clock.tick(0);
  for (const wait of [1_000, 2_000, 4_000]) {
    await quiet();
    await clock.tick(wait - 1);
    const before = received.length;
    await quiet();
    assert.equal(received.length, before, `no retry before ${wait} ms`);
    await clock.tick(1);
  }
  await until(() => received.length === 4);
  assert.deepEqual(received.map((event) => event.at - start), [
    0,
    1_000,
    3_000,
    7_000,
  ]);
  assert.equal(
    new Set(received.map((e) => e.headers.get("webhook-id"))).size,
    1,
  );
  for (const event of received) {
    assert.equal(
      await verifyWebhook(SECRET, event.headers, event.body, event.at),
      true,
    );
  }
  await clock.tick(60_000);
  await quiet();
  assert.equal(received.length, 4, "nothing after a 2xx");
});

Deno.test(`a callback gives up after ${WEBHOOK_RETRY.attempts} attempts, each bounded by a timeout`, async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const { fetch, received, aborted } = receiver(clock, ["hang", 500]);
  await using simulator = createSimulator({ clock, fetch, seed: 5 });
  await startJob(simulator);
  await clock.tick(0);
  await until(() => received.length === 1);
  await clock.tick(WEBHOOK_RETRY.timeout);
  await until(() => aborted.length === 1);
  assert.match(String(aborted[0]), /timed out/);
  for (let step = 0; step < 20; step++) {
    await clock.tick(1_000);
    await quiet();
  }
  assert.equal(received.length, WEBHOOK_RETRY.attempts);
  assert.equal(simulator.stats().scheduled, 0);
});

Deno.test("a redirect counts as a failure and is not followed", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const { fetch, received } = receiver(clock, [307, 204]);
  await using simulator = createSimulator({ clock, fetch, seed: 6 });
  await startJob(simulator);
  await clock.tick(0);
  await until(() => received.length === 1);
  await clock.tick(1_000);
  await until(() => received.length === 2);
  assert.equal(received.length, 2);
  // Followed, it could lead past the loopback rule.
  assert.ok(received.every((event) => event.redirect === "manual"));
});

/** Creates `count` jobs that end at once, each with a callback, and lets them be delivered. */
async function deliverMany(
  options: Record<string, unknown>,
  count: number,
  run: number,
): Promise<{ received: Received[]; start: number }> {
  const clock = new FakeClock({ autoAdvance: false });
  const { fetch, received } = receiver(clock);
  await using simulator = createSimulator({
    clock,
    fetch,
    ...options,
    seed: 100 + run,
  });
  const start = clock.now();
  for (let i = 0; i < count; i++) {
    await startJob(simulator);
  }
  for (let step = 0; step <= 10; step++) {
    await clock.tick(step === 0 ? 0 : 100);
    await quiet();
  }
  return { received, start };
}

Deno.test("webhookDropRate drops about that fraction of callbacks (seeded)", async () => {
  for (const run of [1, 2, 3]) {
    const { received } = await deliverMany({ webhookDropRate: 0.2 }, 200, run);
    assert.ok(
      received.length >= 120 && received.length <= 190,
      `${received.length} of 200`,
    );
  }
  assert.equal(
    (await deliverMany({ webhookDropRate: 1 }, 50, 0)).received.length,
    0,
  );
  assert.equal(
    (await deliverMany({ webhookDropRate: 0 }, 50, 0)).received.length,
    50,
  );
});

Deno.test("webhookDuplicateRate sends about that fraction twice, with the same id (seeded)", async () => {
  for (const run of [1, 2, 3]) {
    const { received } = await deliverMany(
      { webhookDuplicateRate: 0.5 },
      200,
      run,
    );
    const counts = new Map<string, number>();
    for (const event of received) {
      const id = event.headers.get("webhook-id")!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    assert.equal(counts.size, 200);
    assert.ok([...counts.values()].every((n) => n === 1 || n === 2));
    const twice = received.length - 200;
    assert.ok(twice >= 60 && twice <= 140, `${twice} of 200 sent twice`);
  }
});

Deno.test("webhook delays are drawn from minWebhookDelay..maxWebhookDelay (seeded)", async () => {
  const { received, start } = await deliverMany(
    { minWebhookDelay: 100, maxWebhookDelay: 500 },
    100,
    1,
  );
  assert.equal(received.length, 100);
  const delays = received.map((event) => event.at - start);
  assert.ok(
    delays.every((delay) => delay >= 100 && delay <= 500),
    String(delays),
  );
  assert.ok(new Set(delays).size > 3, "spread, not one value");
});

Deno.test("callback_url is refused with a 400 unless it is an absolute http(s) URL to an allowed host", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const { fetch } = receiver(clock);
  await using simulator = createSimulator({ clock, fetch });
  const bad: [unknown, RegExp][] = [
    ["/hooks", /'callback_url' must be an absolute http or https URL/],
    [
      "ftp://127.0.0.1/hooks",
      /'callback_url' must be an absolute http or https URL/,
    ],
    [42, /'callback_url' must be an absolute http or https URL/],
    [
      "http://example.com/hooks",
      /--webhook-allow-host \(option 'webhookAllowHosts'\)/,
    ],
    ["http://10.0.0.1/hooks", /--webhook-allow-host/],
    ["http://localhost.example.com/hooks", /--webhook-allow-host/],
    ["http://[::2]/hooks", /--webhook-allow-host/],
  ];
  for (const [url, pattern] of bad) {
    const response = await createWithCallback(simulator, { callback_url: url });
    assert.equal(response.status, 400, String(url));
    assert.match((await response.json()).error, pattern);
  }
  assert.equal(simulator.stats().jobs, 0, "no job is created");
  for (
    const url of [
      "http://127.1.2.3/",
      "https://[::1]:8443/h",
      "http://LOCALHOST/h",
      "http://0x7f.1/h",
    ]
  ) {
    const response = await createWithCallback(simulator, { callback_url: url });
    assert.equal(response.status, 201, url);
    await response.body?.cancel();
  }
});

Deno.test("webhookAllowHosts widens the loopback rule to the hosts it names", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const { fetch, received } = receiver(clock);
  await using simulator = createSimulator({
    clock,
    fetch,
    webhookAllowHosts: ["Hooks.Example.com", "[2001:db8::1]"],
  });
  for (const url of ["https://hooks.example.com/h", "http://[2001:db8::1]/h"]) {
    const response = await createWithCallback(simulator, {
      callback_url: url,
      duration: 0,
    });
    assert.equal(response.status, 201, url);
    await response.body?.cancel();
  }
  const other = await createWithCallback(simulator, {
    callback_url: "https://example.com/h",
  });
  assert.equal(other.status, 400);
  await other.body?.cancel();
  await clock.tick(0);
  await until(() => received.length === 2);
  assert.equal(received.length, 2);
});

Deno.test("close() cancels callbacks waiting, backing off or in flight, and none is sent after", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const { fetch, received, aborted } = receiver(clock, ["hang"]);
  const simulator = createSimulator({
    clock,
    fetch,
    minWebhookDelay: 1_000,
    maxWebhookDelay: 1_000,
  });
  await startJob(simulator);
  await startJob(simulator, 0.5);
  await startJob(simulator, 5);
  await clock.tick(1_000); // the first is in flight, the second waits its delay
  await until(() => received.length === 1);
  assert.equal(received.length, 1);
  await simulator.close();
  assert.equal(aborted.length, 1, "the POST in flight is aborted");
  assert.equal(clock.timers, 0, "no sleep left behind");
  await clock.tick(60_000);
  await quiet();
  assert.equal(received.length, 1);
});

Deno.test("webhookHmac signs each callback, at once, to a signature the receiver verifies", async () => {
  const clock = new FakeClock({ start: 1_700_000_000_000, autoAdvance: false });
  const { fetch, received } = receiver(clock);
  const macs: Uint8Array[] = [];
  await using simulator = createSimulator({
    clock,
    fetch,
    webhookSecret: SECRET,
    webhookHmac: (key, message) => {
      const mac = createHmac("sha256", key).update(message).digest();
      macs.push(mac);
      return mac;
    },
  });
  await startJob(simulator, 1);
  await startJob(simulator, 1);
  await clock.tick(1_000);
  await until(() => received.length === 2);
  assert.equal(macs.length, 2);
  for (const [i, event] of received.entries()) {
    assert.equal(
      event.headers.get("webhook-signature"),
      `v1,${btoa(String.fromCharCode(...macs[i]))}`,
    );
    assert.equal(
      await verifyWebhook(SECRET, event.headers, event.body, clock.now()),
      true,
    );
  }
});

Deno.test("serve() calls a real receiver back over a socket", async () => {
  const events: { headers: Headers; body: string }[] = [];
  let arrived = (): void => {};
  const arrival = new Promise<void>((resolve) => arrived = resolve);
  const receiverServer = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request) => {
      events.push({ headers: request.headers, body: await request.text() });
      arrived();
      return new Response(null, { status: 204 });
    },
  );
  const { serve } = await import("../../server.ts");
  const server = await serve({ port: 0, webhookSecret: SECRET, seed: 7 });
  try {
    const created = await fetch(`${server.url}/jobs`, {
      method: "POST",
      body: JSON.stringify({
        duration: 0,
        outcome: "error",
        callback_url: `http://127.0.0.1:${receiverServer.addr.port}/hooks`,
      }),
    });
    assert.equal(created.status, 201);
    const { id } = await created.json();
    await arrival;
    assert.equal(events.length, 1);
    assert.equal(
      await verifyWebhook(
        SECRET,
        events[0].headers,
        events[0].body,
        Date.now(),
      ),
      true,
    );
    assert.equal(JSON.parse(events[0].body).id, id);
    assert.equal(JSON.parse(events[0].body).result, "error");
  } finally {
    await server.shutdown();
    await receiverServer.shutdown();
  }
});
