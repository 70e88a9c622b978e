import assert from "node:assert/strict";
import { createSimulator, type Simulator } from "../../../server.ts";
import { FakeClock, settle } from "../../../testing/fake_clock.ts";
import { BASE, createJob } from "../_requests.ts";

function poll(
  simulator: Simulator,
  path: string,
  prefer?: string,
  signal?: AbortSignal,
): Promise<Response> {
  const headers: HeadersInit = prefer === undefined ? {} : { Prefer: prefer };
  return simulator.fetch(new Request(BASE + path, { headers, signal }));
}

/** Tells whether a promise has settled yet. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await settle();
  return settled;
}

Deno.test("Prefer: wait holds a pending job until it completes", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const id = await createJob(simulator, { duration: 4, outcome: "completed" });
  const pending = poll(simulator, `/jobs/${id}`, "wait=10");
  await clock.tick(3_999);
  assert.equal(await isSettled(pending), false);
  assert.equal(simulator.stats().held, 1);
  await clock.tick(1);
  const response = await pending;
  assert.equal(response.headers.get("preference-applied"), "wait=10");
  assert.equal(response.headers.get("retry-after"), null);
  assert.deepEqual(await response.json(), { id, result: "completed" });
  assert.equal(simulator.stats().held, 0);
  assert.equal(simulator.stats().scheduled, 0);
  assert.equal(clock.timers, 0);
});

Deno.test("Prefer: wait answers pending when the wait runs out", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const id = await createJob(simulator, { duration: 60 });
  const pending = poll(simulator, `/jobs/${id}`, "wait=2");
  await clock.tick(1_999);
  assert.equal(await isSettled(pending), false);
  await clock.tick(1);
  const response = await pending;
  assert.equal(response.headers.get("preference-applied"), "wait=2");
  assert.equal(response.headers.get("retry-after"), "10");
  assert.equal((await response.json()).result, "pending");
  assert.equal(simulator.stats().scheduled, 0);
});

Deno.test("Prefer: wait on /status holds the default job", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({
    clock,
    minDuration: 3_000,
    maxDuration: 3_000,
    errorRate: 1,
  });
  const pending = poll(simulator, "/status", "wait=30");
  await clock.tick(3_000);
  const response = await pending;
  assert.deepEqual(await response.json(), { result: "error" });
  assert.equal(response.headers.get("preference-applied"), "wait=30");
  assert.equal(response.headers.get("vary"), "Prefer");
});

Deno.test("a wait longer than maxWait is capped and the header says so", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, maxWait: 5_000 });
  const id = await createJob(simulator, { duration: 60 });
  const pending = poll(simulator, `/jobs/${id}`, "wait=3600");
  await clock.tick(5_000);
  const response = await pending;
  assert.equal(response.headers.get("preference-applied"), "wait=5");
  await response.body?.cancel();
});

Deno.test("a maxWait of part of a second holds that long and names whole seconds", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, maxWait: 1_500 });
  const id = await createJob(simulator, { duration: 60 });
  const pending = poll(simulator, `/jobs/${id}`, "wait=10");
  await clock.tick(1_499);
  assert.equal(await isSettled(pending), false);
  await clock.tick(1);
  const response = await pending;
  assert.equal(response.headers.get("preference-applied"), "wait=2");
  assert.equal((await response.json()).result, "pending");
});

Deno.test("a final job or wait=0 answers at once with Preference-Applied", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const done = await createJob(simulator, { duration: 0 });
  const slow = await createJob(simulator, { duration: 60 });
  for (
    const [path, prefer] of [[`/jobs/${done}`, "wait=10"], [
      `/jobs/${slow}`,
      "wait=0",
    ]]
  ) {
    const response = await poll(simulator, path!, prefer);
    assert.equal(response.headers.get("preference-applied"), prefer);
    await response.body?.cancel();
  }
  assert.equal(simulator.stats().held, 0);
});

Deno.test("Prefer without a valid wait answers at once without Preference-Applied", async (t) => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const id = await createJob(simulator, { duration: 60 });
  for (
    const prefer of [
      undefined,
      "respond-async",
      "wait=soon",
      "wait=-1",
      "wait=1.5",
      "wait",
    ]
  ) {
    await t.step(String(prefer), async () => {
      const response = await poll(simulator, `/jobs/${id}`, prefer);
      assert.equal(response.headers.get("preference-applied"), null);
      assert.equal((await response.json()).result, "pending");
    });
  }
});

Deno.test("maxWait 0 turns long-poll off", async () => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
    maxWait: 0,
  });
  const response = await poll(simulator, "/status", "wait=10");
  assert.equal(response.headers.get("preference-applied"), null);
  await response.body?.cancel();
});

Deno.test("an aborted long-poll is released at once", async (t) => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const id = await createJob(simulator, { duration: 60 });
  await t.step("while held", async () => {
    const controller = new AbortController();
    const pending = poll(
      simulator,
      `/jobs/${id}`,
      "wait=30",
      controller.signal,
    );
    await settle();
    assert.equal(simulator.stats().held, 1);
    controller.abort();
    const response = await pending;
    assert.equal(response.status, 499);
    assert.equal(simulator.stats().held, 0);
    assert.equal(simulator.stats().scheduled, 0);
    assert.equal(clock.timers, 0);
  });
  await t.step("before it starts", async () => {
    const response = await poll(
      simulator,
      `/jobs/${id}`,
      "wait=30",
      AbortSignal.abort(),
    );
    assert.equal(response.status, 499);
    assert.equal(simulator.stats().held, 0);
  });
});

Deno.test("close() answers every held long-poll with the current status", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const simulator = createSimulator({ clock });
  const id = await createJob(simulator, { duration: 60 });
  const held = [
    poll(simulator, `/jobs/${id}`, "wait=30"),
    poll(simulator, "/status", "wait=30"),
  ];
  await settle();
  assert.equal(simulator.stats().held, 2);
  await simulator.close();
  for (const response of await Promise.all(held)) {
    assert.equal(response.status, 200);
    assert.equal((await response.json()).result, "pending");
  }
  assert.equal(clock.timers, 0);
});

Deno.test("many long-polls on one job share one wake-up", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const id = await createJob(simulator, { duration: 5, outcome: "completed" });
  const held = Array.from(
    { length: 200 },
    () => poll(simulator, `/jobs/${id}`, "wait=30"),
  );
  await settle();
  assert.equal(simulator.stats().held, 200);
  assert.equal(clock.timers, 1);
  // 200 deadlines plus the job's one completion task, all on one timer.
  assert.equal(simulator.stats().scheduled, 201);
  await clock.tick(5_000);
  for (const response of await Promise.all(held)) {
    assert.equal((await response.json()).result, "completed");
  }
  assert.equal(simulator.stats().scheduled, 0);
});

Deno.test("beyond maxHeld a long-poll answers 503 with Retry-After", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, maxHeld: 2 });
  const held = [
    poll(simulator, "/status", "wait=5"),
    poll(simulator, "/status", "wait=5"),
  ];
  await settle();
  const refused = await poll(simulator, "/status", "wait=5");
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "1");
  assert.match((await refused.json()).error, /2 requests are already held/);
  await clock.tick(5_000);
  await Promise.all((await Promise.all(held)).map((r) => r.body?.cancel()));
});

Deno.test("pending answers carry a Retry-After hint of half the remaining time", async (t) => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const cases: [number, string][] = [[0.3, "1"], [5, "3"], [19, "10"], [
    600,
    "10",
  ]];
  for (const [duration, hint] of cases) {
    await t.step(`${duration} s left`, async () => {
      const id = await createJob(simulator, { duration });
      const response = await poll(simulator, `/jobs/${id}`);
      assert.equal(response.headers.get("retry-after"), hint);
      await response.body?.cancel();
    });
  }
  await t.step("the 201 of POST /jobs has it too", async () => {
    const response = await simulator.fetch(
      new Request(`${BASE}/jobs`, { method: "POST", body: '{"duration": 8}' }),
    );
    assert.equal(response.headers.get("retry-after"), "4");
    await response.body?.cancel();
  });
  await t.step("final answers have none", async () => {
    const id = await createJob(simulator, { duration: 0 });
    const response = await poll(simulator, `/jobs/${id}`);
    assert.equal(response.headers.get("retry-after"), null);
    await response.body?.cancel();
  });
});
