import assert from "node:assert/strict";
import { createSimulator } from "../../server.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { createJob, expectError, get, post } from "./_requests.ts";

Deno.test("GET /status reports the default job, whose clock starts at creation", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({
    clock,
    minDuration: 3_000,
    maxDuration: 3_000,
    errorRate: 0,
  });
  await clock.tick(2_999);
  let response = await get(simulator, "/status");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { result: "pending" });
  await clock.tick(1);
  response = await get(simulator, "/status");
  assert.deepEqual(await response.json(), { result: "completed" });
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
});

Deno.test("GET /status ends in error when the error rate draws it", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, errorRate: 1 });
  await clock.tick(5_000);
  const response = await get(simulator, "/status");
  assert.deepEqual(await response.json(), { result: "error" });
});

Deno.test("unknown paths and jobs answer 404 with a JSON error", async (t) => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  for (
    const path of ["/", "/nope", "/status/", "/jobs/", "/jobs/a/b", "/STATUS"]
  ) {
    await t.step(path, async () => {
      await expectError(await get(simulator, path), 404, /Cannot find path/);
    });
  }
  await t.step("unknown job", async () => {
    await expectError(
      await get(simulator, "/jobs/unknown"),
      404,
      /Cannot find job 'unknown'/,
    );
  });
  await t.step("a long id is shortened in the message", async () => {
    const response = await get(simulator, `/jobs/${"a".repeat(500)}`);
    const { error } = await response.json();
    assert.ok(error.length < 120, error);
  });
  await t.step("a query string other than job_id is ignored", async () => {
    assert.equal((await get(simulator, "/status?page=1")).status, 200);
  });
  await t.step("an unknown job_id is 404, never the default job", async () => {
    assert.equal((await get(simulator, "/status?job_id=1")).status, 404);
    assert.equal((await get(simulator, "/status?job_id=")).status, 404);
    assert.equal((await get(simulator, "/status/1")).status, 404);
  });
});

Deno.test("a wrong method answers 405 with Allow", async (t) => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  const id = await createJob(simulator);
  const cases: [string, string, string][] = [
    ["POST", "/status", "GET, HEAD, OPTIONS"],
    ["DELETE", `/jobs/${id}`, "GET, HEAD, OPTIONS"],
    ["PUT", "/jobs", "POST, OPTIONS"],
    ["GET", "/jobs", "POST, OPTIONS"],
    ["PATCH", "/status/events", "GET, HEAD, OPTIONS"],
  ];
  for (const [method, path, allow] of cases) {
    await t.step(`${method} ${path}`, async () => {
      const response = await get(simulator, path, { method });
      assert.equal(response.headers.get("allow"), allow);
      await expectError(
        response,
        405,
        new RegExp(`Cannot ${method} '.*' as it allows`),
      );
    });
  }
});

Deno.test("HEAD answers the headers of GET without a body", async () => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  const response = await get(simulator, "/status", { method: "HEAD" });
  assert.equal(response.status, 200);
  assert.equal(response.body, null);
  assert.equal(response.headers.get("content-type"), "application/json");
  // The length of the GET body, as every adapter sends it.
  const body = await (await get(simulator, "/status")).text();
  assert.equal(response.headers.get("content-length"), String(body.length));
  const events = await get(simulator, "/status/events", { method: "HEAD" });
  assert.equal(events.headers.get("content-type"), "text/event-stream");
  assert.equal(events.body, null);
});

Deno.test("a 405 never echoes a huge method back whole", async () => {
  await using simulator = createSimulator();
  const response = await get(simulator, "/status", {
    method: "X".repeat(10_000),
  });
  assert.equal(response.status, 405);
  const { error } = await response.json();
  assert.ok(error.length < 200, `a message of ${error.length} characters`);
  assert.match(error, /^Cannot X+\.\.\. '\/status' as it allows/);
});

Deno.test("OPTIONS answers a CORS preflight", async (t) => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  await t.step("reflects the requested headers", async () => {
    const response = await get(simulator, "/status", {
      method: "OPTIONS",
      headers: {
        "Origin": "http://page.test",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "prefer, x-api-key, authorization",
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    assert.equal(
      response.headers.get("access-control-allow-methods"),
      "GET, HEAD, OPTIONS",
    );
    assert.equal(
      response.headers.get("access-control-allow-headers"),
      "prefer, x-api-key, authorization",
    );
  });
  await t.step(
    "falls back to the default list for a malformed request",
    async () => {
      const response = await get(simulator, "/jobs", {
        method: "OPTIONS",
        headers: { "Access-Control-Request-Headers": "bad header(" },
      });
      assert.equal(
        response.headers.get("access-control-allow-headers"),
        "Prefer, Content-Type, Authorization",
      );
      assert.equal(response.headers.get("allow"), "POST, OPTIONS");
    },
  );
  await t.step("unknown path", async () => {
    assert.equal(
      (await get(simulator, "/nope", { method: "OPTIONS" })).status,
      404,
    );
  });
});

Deno.test("every API answer exposes the hint headers to browsers", async () => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  for (
    const response of [
      await get(simulator, "/status"),
      await post(simulator),
      await get(simulator, "/x"),
    ]
  ) {
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    assert.equal(
      response.headers.get("access-control-expose-headers"),
      "Location, Retry-After, Preference-Applied",
    );
    await response.body?.cancel();
  }
});

Deno.test("a seed makes job timing, outcomes and ids reproducible", async () => {
  const run = async (): Promise<unknown[]> => {
    const clock = new FakeClock({ autoAdvance: false });
    await using simulator = createSimulator({
      clock,
      seed: 42,
      errorRate: 0.5,
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createJob(simulator));
    const seen: unknown[] = [...ids];
    for (let t = 0; t < 6; t++) {
      await clock.tick(1_000);
      for (const id of ids) {
        seen.push((await (await get(simulator, `/jobs/${id}`)).json()).result);
      }
    }
    return seen;
  };
  const first = await run();
  assert.deepEqual(await run(), first);
  assert.ok(first.includes("error") && first.includes("completed"));
});

Deno.test("createSimulator() rejects out-of-range options", async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { errorRate: 2 },
      /'errorRate' must be a number from 0 to 1: current value is 2/,
    ],
    [{ minDuration: -1 }, /'minDuration'/],
    [{ maxDuration: Number.NaN }, /'maxDuration'.*NaN/],
    [
      { maxDuration: 86_400_001 },
      /'maxDuration' must be a number of milliseconds from 0 to 86400000: current value is 86400001/,
    ],
    [
      { maxWait: 1.5 },
      /'maxWait' must be an integer number of milliseconds from 0 to 3600000/,
    ],
    [
      { minDuration: 5_000, maxDuration: 1_000 },
      /'minDuration' must not exceed 'maxDuration': current values are 5000 and 1000/,
    ],
    [{ maxJobs: 0 }, /'maxJobs' must be an integer from 1/],
    [{ maxJobs: 1.5 }, /'maxJobs'/],
    [{ rateLimit: 0 }, /'rateLimit' must be an integer of at least 1/],
    [{ seed: 1.5 }, /'seed'/],
    [
      { minLatency: 10, maxLatency: 5 },
      /'minLatency' must not exceed 'maxLatency'/,
    ],
    [{ faultRate: "0.1" }, /'faultRate'.*"0.1"/],
  ];
  for (const [options, pattern] of cases) {
    await t.step(JSON.stringify(options), () => {
      assert.throws(() => createSimulator(options), (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, pattern);
        return true;
      });
    });
  }
  await t.step("legacy must be a boolean", () => {
    assert.throws(
      () => createSimulator({ legacy: "yes" as unknown as boolean }),
      TypeError,
    );
  });
  await t.step("the names of 0.1 are refused, naming the new one", () => {
    for (
      const [old, now] of [["minDelay", "minDuration"], [
        "maxDelay",
        "maxDuration",
      ]]
    ) {
      assert.throws(() => createSimulator({ [old]: 1_000 }), (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.equal(
          error.message,
          `Cannot create the simulator as '${old}' is now '${now}': current value is 1000`,
        );
        return true;
      });
    }
  });
});

Deno.test("after close() every request answers 503", async () => {
  const simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  await simulator.close();
  await simulator.close();
  const response = await get(simulator, "/status");
  assert.equal(response.headers.get("retry-after"), "1");
  await expectError(response, 503, /shutting down/);
});
