import assert from "node:assert/strict";
import { createSimulator, MAX_BODY_BYTES } from "../../../server.ts";
import { FakeClock } from "../../../testing/fake_clock.ts";
import { BASE, createJob, expectError, get, post } from "../_requests.ts";

Deno.test("POST /jobs creates a job at Location that turns final and stays so", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const created = await post(
    simulator,
    JSON.stringify({ duration: 1.5, outcome: "error" }),
  );
  assert.equal(created.status, 201);
  const body = await created.json();
  assert.equal(body.result, "pending");
  assert.equal(typeof body.id, "string");
  assert.equal(created.headers.get("location"), `/jobs/${body.id}`);
  const read = async (): Promise<unknown> =>
    await (await get(simulator, `/jobs/${body.id}`)).json();
  assert.deepEqual(await read(), { id: body.id, result: "pending" });
  await clock.tick(1_500);
  assert.deepEqual(await read(), { id: body.id, result: "error" });
  await clock.tick(3_600_000);
  assert.deepEqual(await read(), { id: body.id, result: "error" });
});

Deno.test("POST /jobs without a body draws duration and outcome from the options", async (t) => {
  for (const body of [undefined, "", "  \n"]) {
    await t.step(`body ${JSON.stringify(body)}`, async () => {
      const clock = new FakeClock({ autoAdvance: false });
      await using simulator = createSimulator({
        clock,
        minDuration: 2_000,
        maxDuration: 2_000,
        errorRate: 0,
      });
      const response = await post(simulator, body);
      assert.equal(response.status, 201);
      const { id } = await response.json();
      await clock.tick(1_999);
      assert.equal(
        (await (await get(simulator, `/jobs/${id}`)).json()).result,
        "pending",
      );
      await clock.tick(1);
      assert.equal(
        (await (await get(simulator, `/jobs/${id}`)).json()).result,
        "completed",
      );
    });
  }
});

Deno.test("POST /jobs ignores unknown fields", async () => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  const response = await post(
    simulator,
    JSON.stringify({
      duration: 0,
      outcome: "completed",
      note: "x",
      id: "mine",
    }),
  );
  assert.equal(response.status, 201);
  const body = await response.json();
  assert.notEqual(body.id, "mine");
  assert.equal(body.result, "completed");
});

Deno.test("POST /jobs answers 400 naming the field for bad input", async (t) => {
  const cases: [string, RegExp][] = [
    ["{", /body must be valid JSON/],
    ["[1, 2]", /body must be a JSON object: current value is an array/],
    ["null", /body must be a JSON object: current value is null/],
    ['"text"', /body must be a JSON object/],
    [
      '{"duration": "1"}',
      /'duration' must be a number of seconds from 0 to 86400: current value is "1"/,
    ],
    ['{"duration": -1}', /'duration' .* current value is -1/],
    ['{"duration": 86401}', /'duration' .* current value is 86401/],
    ['{"duration": null}', /'duration' .* current value is null/],
    // The field's name before 0.2: refused, so that old callers learn.
    ['{"delay": 1}', /'delay' is now 'duration'/],
    [
      '{"outcome": "pending"}',
      /'outcome' must be "completed", "error" or "canceled": current value is "pending"/,
    ],
    ['{"outcome": 1}', /'outcome' .* current value is 1/],
  ];
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  for (const [body, pattern] of cases) {
    await t.step(body, async () => {
      await expectError(await post(simulator, body), 400, pattern);
    });
  }
  await t.step("invalid UTF-8", async () => {
    await expectError(
      await post(simulator, new Uint8Array([0x7b, 0xff, 0x7d])),
      400,
      /readable UTF-8 text/,
    );
  });
  assert.equal(simulator.stats().jobs, 0);
});

Deno.test("POST /jobs answers 400 to a body nested too deep, whatever the runtime's stack", async () => {
  await using simulator = createSimulator();
  for (
    const deep of [
      "[".repeat(5_000) + "]".repeat(5_000),
      '{"a":'.repeat(33) + "1" + "}".repeat(33),
    ]
  ) {
    await expectError(
      await post(simulator, deep),
      400,
      /must not nest deeper than 32 levels/,
    );
  }
  // Brackets inside strings are no nesting; 32 levels are fine.
  const fine = `{"note":"${"[".repeat(100)}\\"[","x":${"[".repeat(31)}${
    "]".repeat(31)
  }}`;
  assert.equal((await post(simulator, fine)).status, 201);
});

Deno.test("POST /jobs answers 413 for a body over 64 KiB", async (t) => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  await t.step("with Content-Length", async () => {
    const body = JSON.stringify({
      duration: 1,
      pad: "x".repeat(MAX_BODY_BYTES),
    });
    await expectError(
      await post(simulator, body),
      413,
      /must not exceed 65536 bytes/,
    );
  });
  await t.step(
    "streamed without Content-Length, cancelling the stream",
    async () => {
      let pulled = 0;
      let cancelled = false;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller): void {
          pulled++;
          controller.enqueue(new Uint8Array(16_384).fill(0x20));
        },
        cancel(): void {
          cancelled = true;
        },
      });
      const request = new Request(`${BASE}/jobs`, {
        method: "POST",
        body: stream,
        duplex: "half",
      } as RequestInit);
      await expectError(await simulator.fetch(request), 413, /must not exceed/);
      assert.equal(cancelled, true);
      assert.ok(pulled <= 6, `read ${pulled} chunks`);
    },
  );
  await t.step("exactly 64 KiB is accepted", async () => {
    const prefix = '{"duration":0,"pad":"';
    const body = prefix + "x".repeat(MAX_BODY_BYTES - prefix.length - 2) + '"}';
    assert.equal(body.length, MAX_BODY_BYTES);
    assert.equal((await post(simulator, body)).status, 201);
  });
});

Deno.test("the store evicts the job that finished earliest when full", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, maxJobs: 3 });
  const slow = await createJob(simulator, { duration: 100 });
  const late = await createJob(simulator, { duration: 2 });
  const early = await createJob(simulator, { duration: 1 });
  await clock.tick(2_000);
  const fourth = await createJob(simulator, { duration: 100 });
  assert.equal((await get(simulator, `/jobs/${early}`)).status, 404);
  for (const id of [slow, late, fourth]) {
    assert.equal((await get(simulator, `/jobs/${id}`)).status, 200);
  }
  await createJob(simulator, { duration: 100 });
  assert.equal((await get(simulator, `/jobs/${late}`)).status, 404);
  assert.equal(simulator.stats().jobs, 3);
});

Deno.test("POST /jobs answers 503 with Retry-After when every stored job is pending", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, maxJobs: 2 });
  await createJob(simulator, { duration: 10 });
  await createJob(simulator, { duration: 4.2 });
  const response = await post(simulator);
  assert.equal(response.headers.get("retry-after"), "5");
  await expectError(response, 503, /all 2 stored jobs are still pending/);
  assert.equal(simulator.stats().jobs, 2);
  await clock.tick(4_200);
  assert.equal((await post(simulator)).status, 201);
});

/** Creates a job in a simulator on `clock`, with the given headers. */
async function createHeld(
  options: Parameters<typeof createSimulator>[0],
  script: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<
  {
    status: number;
    body: Record<string, unknown>;
    headers: Headers;
    took: number;
  }
> {
  const clock = options!.clock as FakeClock;
  await using simulator = createSimulator(options);
  const start = clock.now();
  const response = await simulator.fetch(
    new Request(`${BASE}/jobs`, {
      method: "POST",
      headers,
      body: JSON.stringify(script),
    }),
  );
  return {
    status: response.status,
    body: await response.json(),
    headers: response.headers,
    took: clock.now() - start,
  };
}

Deno.test("Prefer: wait holds a create until the job ends where the dialect has preferWait", async () => {
  const clock = new FakeClock();
  const done = await createHeld(
    { clock, dialect: "replicate" },
    { duration: 10, outcome: "completed" },
    { prefer: "wait=60" },
  );
  assert.equal(done.status, 201);
  assert.equal(done.took, 10_000);
  assert.equal(done.body.status, "succeeded");
  assert.match(
    String(done.body.output),
    /^https:\/\/cdn\.video-status\.test\//,
  );
  assert.equal(done.headers.get("preference-applied"), "wait=60");

  const capped = await createHeld(
    { clock, dialect: "replicate" },
    { duration: 600 },
    { prefer: "wait=3600" },
  );
  assert.equal(capped.took, 60_000);
  assert.equal(capped.body.status, "processing");
  assert.equal(capped.headers.get("preference-applied"), "wait=60");

  const unasked = await createHeld(
    { clock, dialect: "replicate" },
    { duration: 10 },
    {},
  );
  assert.equal(unasked.took, 0);
  assert.equal(unasked.headers.get("preference-applied"), null);

  const seed = await createHeld(
    { clock },
    { duration: 10 },
    { prefer: "wait=60" },
  );
  assert.equal(seed.took, 0, "video-status has no preferWait");
  assert.equal(seed.body.result, "pending");
});

Deno.test("a job scripted canceled ends in the dialect's canceled word", async () => {
  const clock = new FakeClock();
  const cases = [
    ["video-status", "result", "error"],
    ["replicate", "status", "canceled"],
    ["azure-operation", "status", "Canceled"],
  ] as const;
  for (const [dialect, field, word] of cases) {
    const created = await createHeld(
      { clock, dialect, errorRate: 0 },
      { duration: 0, outcome: "canceled" },
      {},
    );
    assert.equal(created.body[field], word, dialect);
  }
});

Deno.test("a create that cannot be held is refused before the job exists", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({
    clock,
    dialect: "replicate",
    maxHeld: 1,
  });
  const create = () =>
    simulator.fetch(
      new Request(`${BASE}/jobs`, {
        method: "POST",
        headers: { prefer: "wait=30" },
        body: '{"duration":60}',
      }),
    );
  const held = create();
  await clock.tick(0);
  assert.equal(simulator.stats().held, 1);
  const refused = await create();
  assert.equal(refused.status, 503);
  await refused.body?.cancel();
  assert.equal(simulator.stats().jobs, 1);
  await clock.tick(30_000);
  const answer = await held;
  assert.equal(answer.status, 201);
  assert.equal((await answer.json()).status, "processing");
});

Deno.test("onJobCreated is told each created job's id and times on the simulator's clock", async () => {
  const clock = new FakeClock({ start: 1_000, autoAdvance: false });
  const told: unknown[] = [];
  await using simulator = createSimulator({
    clock,
    onJobCreated: (job) => told.push(job),
  });
  const id = await createJob(simulator, { duration: 1.5 });
  await clock.tick(250);
  const second = await createJob(simulator, { duration: 0.2 });
  assert.deepEqual(told, [
    { id, createdAt: 1_000, finishAt: 2_500 },
    { id: second, createdAt: 1_250, finishAt: 1_450 },
  ]);
  // A refused create tells nothing.
  await expectError(await post(simulator, "{"), 400, /JSON/);
  assert.equal(told.length, 2);
});

Deno.test("onJobCreated that throws fails the request with 500 and the job runs on", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const created: string[] = [];
  await using simulator = createSimulator({
    clock,
    onJobCreated: (job) => {
      created.push(job.id);
      throw new Error("a broken hook");
    },
  });
  const response = await post(
    simulator,
    JSON.stringify({ duration: 1, outcome: "completed" }),
  );
  await expectError(response, 500, /failed/);
  assert.equal(created.length, 1);
  await clock.tick(1_000);
  const status = await get(simulator, `/jobs/${created[0]}`);
  assert.equal((await status.json()).result, "completed");
});

Deno.test("onJobCreated that is not a function is a TypeError", () => {
  assert.throws(
    () => createSimulator({ onJobCreated: "log" as never }),
    TypeError,
  );
});
