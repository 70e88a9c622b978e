import assert from "node:assert/strict";
import { createSimulator } from "../../server.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { type DialectName, isReadProblem, jobUrl, PRESETS } from "../../mod.ts";
import { seededRandom } from "../../util/random.ts";

const BASE = "http://sim.test";

Deno.test("statusBody(): what the simulator writes, its dialect reads back as the job is", async () => {
  const random = seededRandom(11);
  for (const name of Object.keys(PRESETS) as DialectName[]) {
    const dialect = PRESETS[name];
    const clock = new FakeClock({ autoAdvance: false });
    await using simulator = createSimulator({ clock, dialect: name });
    for (let run = 0; run < 30; run++) {
      const duration = 1 + Math.floor(random() * 100);
      const outcome = (["completed", "error", "canceled"] as const)[
        Math.floor(random() * 3)
      ];
      const created = await simulator.fetch(
        new Request(`${BASE}/jobs`, {
          method: "POST",
          body: JSON.stringify({ duration, outcome }),
        }),
      );
      const location = created.headers.get("location")!;
      await created.body?.cancel();
      const id = dialect.jobId(new URL(location, BASE))!;
      assert.equal(new URL(location, BASE).href, jobUrl(BASE, dialect, id));
      const elapsed = Math.floor(random() * duration * 1_000);
      await clock.tick(elapsed);
      const read = async () => {
        const response = await simulator.fetch(new Request(BASE + location));
        const reading = dialect.read(
          await response.json(),
          response.headers,
          clock.now(),
        );
        assert.ok(
          !isReadProblem(reading),
          `${name}: ${JSON.stringify(reading)}`,
        );
        return reading;
      };
      const pending = await read();
      assert.equal(pending.result, "pending", name);
      if (pending.progress !== undefined) {
        // OpenAI writes whole percents.
        assert.ok(
          Math.abs(pending.progress - elapsed / duration / 1_000) <= 0.005,
        );
      }
      await clock.tick(duration * 1_000 - elapsed);
      const final = await read();
      assert.equal(
        final.result,
        outcome === "completed" ? "completed" : "error",
      );
      if (final.progress !== undefined) assert.equal(final.progress, 1);
      assert.equal(
        dialect.idOf(
          await (await simulator.fetch(new Request(BASE + location))).json(),
        ) ?? id,
        id,
      );
    }
  }
});

Deno.test("the default job of GET /status names no job in the seed dialect", async () => {
  await using simulator = createSimulator({
    minDuration: 0,
    maxDuration: 0,
    errorRate: 0,
  });
  const response = await simulator.fetch(new Request(`${BASE}/status`));
  assert.deepEqual(await response.json(), { result: "completed" });
});
