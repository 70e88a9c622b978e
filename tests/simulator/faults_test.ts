import assert from "node:assert/strict";
import { createSimulator } from "../../server.ts";
import { FakeClock, settle } from "../../testing/fake_clock.ts";
import { BASE, get } from "./_requests.ts";

Deno.test("faultRate replaces that share of status answers with 500 or 503", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, seed: 7, faultRate: 0.5 });
  const counts = new Map<number, number>();
  for (let i = 0; i < 400; i++) {
    const response = await get(simulator, "/status");
    counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
    const body = await response.json();
    if (response.status === 503) {
      assert.equal(response.headers.get("retry-after"), "1");
      assert.equal(body.error, "Simulated service unavailable");
    }
    if (response.status === 500) {
      assert.equal(body.error, "Simulated server error");
    }
  }
  assert.deepEqual([...counts.keys()].sort(), [200, 500, 503]);
  const faults = (counts.get(500) ?? 0) + (counts.get(503) ?? 0);
  assert.ok(faults > 160 && faults < 240, `${faults} faults in 400`);
});

Deno.test("faults apply to reads and streams, never to POST /jobs", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, seed: 1, faultRate: 1 });
  const created = await simulator.fetch(
    new Request(`${BASE}/jobs`, { method: "POST", body: "{}" }),
  );
  assert.equal(created.status, 201);
  const { id } = await created.json();
  for (
    const path of [
      "/status",
      `/jobs/${id}`,
      "/status/events",
      `/jobs/${id}/events`,
    ]
  ) {
    const response = await get(simulator, path);
    assert.ok(
      [500, 503].includes(response.status),
      `${path}: ${response.status}`,
    );
    await response.body?.cancel();
  }
});

Deno.test("a seed makes the injected faults reproducible", async () => {
  const run = async (): Promise<number[]> => {
    await using simulator = createSimulator({
      clock: new FakeClock({ autoAdvance: false }),
      seed: 99,
      faultRate: 0.3,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const response = await get(simulator, "/status");
      statuses.push(response.status);
      await response.body?.cancel();
    }
    return statuses;
  };
  assert.deepEqual(await run(), await run());
});

Deno.test("resetRate drops the connection mid-body", async (t) => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, seed: 3, resetRate: 1 });
  await t.step("JSON answers", async () => {
    const response = await get(simulator, "/status");
    assert.equal(response.status, 200);
    await assert.rejects(response.text(), /Simulated connection reset/);
  });
  await t.step("event streams", async () => {
    const response = await get(simulator, "/status/events");
    await assert.rejects(response.text(), /Simulated connection reset/);
    assert.equal(simulator.stats().held, 0);
  });
  await t.step("never POST /jobs or HEAD", async () => {
    const created = await simulator.fetch(
      new Request(`${BASE}/jobs`, { method: "POST" }),
    );
    assert.equal((await created.json()).result, "pending");
    const head = await get(simulator, "/status", { method: "HEAD" });
    assert.equal(head.status, 200);
  });
});

Deno.test("resetRate drops about that share of answers", async () => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
    seed: 5,
    resetRate: 0.25,
  });
  let resets = 0;
  for (let i = 0; i < 200; i++) {
    const response = await get(simulator, "/status");
    await response.json().catch(() => resets++);
  }
  assert.ok(resets > 30 && resets < 70, `${resets} resets in 200`);
});

Deno.test("latency delays each answer on the shared clock", async (t) => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({
    clock,
    minLatency: 500,
    maxLatency: 500,
  });
  await t.step("held until the latency passes", async () => {
    let done = false;
    const pending = get(simulator, "/nope").then((response) => {
      done = true;
      return response;
    });
    await clock.tick(499);
    assert.equal(done, false);
    await clock.tick(1);
    assert.equal((await pending).status, 404);
    await (await pending).body?.cancel();
  });
  await t.step("released when the client aborts", async () => {
    const controller = new AbortController();
    const pending = get(simulator, "/status", { signal: controller.signal });
    await settle();
    controller.abort();
    assert.equal((await pending).status, 499);
    assert.equal(simulator.stats().held, 0);
    assert.equal(clock.timers, 0);
  });
});

Deno.test("latency is drawn between the bounds", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({
    clock,
    seed: 11,
    minLatency: 100,
    maxLatency: 300,
  });
  let answered = 0;
  const pending = Array.from(
    { length: 20 },
    () =>
      get(simulator, "/status").then(async (response) => {
        answered++;
        await response.body?.cancel();
      }),
  );
  await clock.tick(99);
  assert.equal(answered, 0);
  await clock.tick(100);
  assert.ok(answered > 0 && answered < 20, `${answered} answered`);
  await clock.tick(101);
  await Promise.all(pending);
  assert.equal(answered, 20);
});

Deno.test("close() answers a request held by latency with 503", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const simulator = createSimulator({
    clock,
    minLatency: 1_000,
    maxLatency: 1_000,
  });
  const pending = get(simulator, "/status");
  await settle();
  await simulator.close();
  const response = await pending;
  assert.equal(response.status, 503);
  await response.body?.cancel();
});

Deno.test("legacy mode behaves like the seed server", async (t) => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({
    clock,
    legacy: true,
    minDuration: 2_000,
    maxDuration: 2_000,
    errorRate: 0,
  });
  await t.step("plain GET /status JSON without hints", async () => {
    const response = await get(simulator, "/status", {
      headers: { Prefer: "wait=10" },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { result: "pending" });
    for (const header of ["retry-after", "preference-applied", "vary"]) {
      assert.equal(response.headers.get(header), null, header);
    }
    assert.equal(simulator.stats().held, 0);
  });
  await t.step("no events", async () => {
    for (const path of ["/status/events", "/jobs/x/events"]) {
      const response = await get(simulator, path);
      assert.equal(response.status, 404);
      await response.body?.cancel();
    }
  });
  await t.step("jobs still work, without hints", async () => {
    const created = await simulator.fetch(
      new Request(`${BASE}/jobs`, { method: "POST" }),
    );
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("retry-after"), null);
    await created.body?.cancel();
  });
  await t.step("completes like the seed", async () => {
    await clock.tick(2_000);
    assert.deepEqual(await (await get(simulator, "/status")).json(), {
      result: "completed",
    });
  });
});

Deno.test("legacy mode still injects faults", async () => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
    legacy: true,
    faultRate: 1,
    seed: 2,
  });
  const response = await get(simulator, "/status");
  assert.ok(response.status >= 500);
  await response.body?.cancel();
});
