import assert from "node:assert/strict";
import { createSimulator } from "../../../server.ts";
import { type DialectName, isReadProblem, PRESETS } from "../../../mod.ts";
import { FakeClock } from "../../../testing/fake_clock.ts";
import type { Simulator } from "../../../server.ts";
import type { Dialect } from "../../../mod.ts";
import { expectError, get, post } from "../_requests.ts";

/** Creates a job of a minute (or `seconds`) and returns its id as the dialect names it. */
async function create(
  simulator: Simulator,
  dialect: Dialect,
  script: Record<string, unknown> = { duration: 60 },
): Promise<string> {
  const response = await post(simulator, JSON.stringify(script));
  assert.equal(response.status, 201);
  return dialect.idOf(await response.json())!;
}

/** Where each preset with a cancel request takes it, and the word a canceled job reads with. */
const CANCELS = {
  "video-status": { path: (id: string) => `/jobs/${id}/cancel`, word: "error" },
  "replicate": {
    path: (id: string) => `/v1/predictions/${id}/cancel`,
    word: "canceled",
  },
  "google-operation": {
    path: (id: string) => `/v1/operations/${id}:cancel`,
    word: "cancelled",
  },
} as const;

for (const [name, { path, word }] of Object.entries(CANCELS)) {
  const dialect = PRESETS[name as DialectName];
  Deno.test(`${name}: a cancel ends a pending job at once, and a held long-poll hears it`, async () => {
    const clock = new FakeClock({ autoAdvance: false });
    await using simulator = createSimulator({ clock, dialect: name });
    const id = await create(simulator, dialect);
    const status = dialect.jobPath(id);
    const start = clock.now();
    const held = get(simulator, status, { headers: { prefer: "wait=30" } });
    await clock.tick(1_000);
    assert.equal(simulator.stats().held, 1);
    const canceled = await get(simulator, path(id), { method: "POST" });
    assert.equal(canceled.status, 200);
    const answer = await canceled.json();
    if (dialect.cancelRequest!.answer === "empty") {
      assert.deepEqual(answer, {});
    } else assert.equal(dialect.idOf(answer), id);
    // The held request ends on the scheduler's next turn, not at its 30 s.
    await clock.tick(0);
    const released = await held;
    assert.equal(released.headers.get("preference-applied"), "wait=30");
    for (
      const body of [
        await released.json(),
        await (await get(simulator, status)).json(),
      ]
    ) {
      const reading = dialect.read(body, new Headers(), clock.now());
      assert.ok(!isReadProblem(reading));
      assert.equal(reading.result, "error");
      assert.equal(reading.status, word);
      if (name === "video-status") assert.equal(reading.error, "canceled");
    }
    assert.equal(clock.now() - start, 1_000);
    assert.equal(simulator.stats().held, 0);
  });

  Deno.test(`${name}: a cancel leaves a job that already ended as it was`, async () => {
    const clock = new FakeClock({ autoAdvance: false });
    await using simulator = createSimulator({ clock, dialect: name });
    const id = await create(simulator, dialect, {
      duration: 1,
      outcome: "completed",
    });
    await clock.tick(1_000);
    const canceled = await get(simulator, path(id), { method: "POST" });
    assert.equal(canceled.status, 200);
    await canceled.body?.cancel();
    const body = await (await get(simulator, dialect.jobPath(id))).json();
    const reading = dialect.read(body, new Headers(), clock.now());
    assert.ok(!isReadProblem(reading));
    assert.equal(reading.result, "completed");
  });

  Deno.test(`${name}: a cancel of an unknown job is 404, a GET of the cancel path 405`, async () => {
    await using simulator = createSimulator({ dialect: name });
    await expectError(
      await get(simulator, path("nope"), { method: "POST" }),
      404,
      /Cannot find job 'nope'/,
    );
    const id = await create(simulator, dialect);
    const refused = await get(simulator, path(id));
    assert.equal(refused.status, 405);
    assert.equal(refused.headers.get("allow"), "POST, OPTIONS");
    await refused.body?.cancel();
  });
}

Deno.test("a canceled job's event stream says it ended canceled", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const id = await create(simulator, PRESETS["video-status"]);
  const stream = await get(simulator, `/jobs/${id}/events`);
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = (await reader.read()).value ?? "";
  assert.match(text, /"result":"pending"/);
  const canceled = await get(simulator, `/jobs/${id}/cancel`, {
    method: "POST",
  });
  await canceled.body?.cancel();
  await clock.tick(0);
  while (!text.includes('"reason":"canceled"')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  assert.match(text, /"result":"error","reason":"canceled"/);
  await reader.cancel();
});

Deno.test("a legacy simulator and the dialects without a cancel request have no cancel path", async (t) => {
  await t.step("legacy", async () => {
    await using simulator = createSimulator({ legacy: true });
    const id = await create(simulator, PRESETS["video-status"]);
    const response = await get(simulator, `/jobs/${id}/cancel`, {
      method: "POST",
    });
    assert.equal(response.status, 404);
    await response.body?.cancel();
  });
  for (const name of ["heygen-translate", "azure-operation", "openai-video"]) {
    await t.step(name, async () => {
      await using simulator = createSimulator({ dialect: name });
      const dialect = PRESETS[name as DialectName];
      const id = await create(simulator, dialect);
      const path = `${dialect.jobPath(id)}/cancel`;
      const response = await get(simulator, path, { method: "POST" });
      assert.equal(response.status, 404);
      await response.body?.cancel();
    });
  }
});
