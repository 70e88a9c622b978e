import assert from "node:assert/strict";
import { LearnedSchedule } from "../../mod.ts";
import { aged, sharedOf } from "../../redis/_learning_document.ts";
import { seededRandom } from "../../util/random.ts";

Deno.test("aged() by halfLife jobs halves every recency weight and keeps a valid document with the same jobs, for any jobs", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const random = seededRandom(seed);
    const halfLife = 1 + Math.floor(random() * 200);
    const schedule = new LearnedSchedule({ halfLife });
    for (let i = 0; i < 1 + random() * 50; i++) {
      const atMost = 1 + random() * 60_000;
      schedule.observe({ after: atMost * random(), atMost });
    }
    const document = schedule.toJSON();
    assert.deepEqual(aged(document, 0, halfLife), document);
    const half = aged(document, halfLife, halfLife);
    // Still a valid document, with the same jobs at half their weight.
    assert.equal(LearnedSchedule.fromJSON(half).samples, document.observations);
    assert.equal(half.observations, document.observations);
    for (const [index, weight] of half.completed.weights.entries()) {
      const before = document.completed.weights[index];
      assert.ok(
        Math.abs(weight - before / 2) <= 1e-12 * before,
        `seed ${seed}`,
      );
    }
    assert.ok(
      Math.abs(half.logSum - document.logSum / 2) <=
        1e-9 * Math.abs(document.logSum),
    );
  }
});

Deno.test("sharedOf() reads a missing or malformed document as revision 0", () => {
  assert.deepEqual(sharedOf([null, null]), {
    revision: 0,
    schedule: undefined,
  });
  assert.deepEqual(sharedOf(["7", "{}"]), { revision: 7, schedule: "{}" });
  assert.deepEqual(sharedOf(["-1", 3]), { revision: 0, schedule: undefined });
  assert.deepEqual(sharedOf(null), { revision: 0, schedule: undefined });
});
