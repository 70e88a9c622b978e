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

Deno.test("sharedOf() reads a missing document as revision 0 and refuses a revision that is not a count", () => {
  assert.deepEqual(sharedOf([null, null], "k"), {
    revision: 0,
    schedule: undefined,
  });
  assert.deepEqual(sharedOf(["7", "{}"], "k"), { revision: 7, schedule: "{}" });
  assert.deepEqual(sharedOf(null, "k"), { revision: 0, schedule: undefined });
  for (const revision of ["-1", "1.5", "07", "abc", "", "1e3", 7]) {
    assert.throws(
      () => sharedOf([revision, "{}"], "k"),
      (error: unknown) =>
        error instanceof TypeError && /'revision'/.test(error.message),
      String(revision),
    );
  }
});

Deno.test("aged() and a merge give what one schedule that saw every job in turn learned, for any jobs", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const random = seededRandom(seed);
    const halfLife = 1 + Math.floor(random() * 100);
    const duration = () => Math.round(100 + random() * 60_000);
    // What the fleet shared so far, and one worker's jobs since.
    const shared = new LearnedSchedule({ halfLife });
    const later: number[] = [];
    for (let i = 0; i < random() * 40; i++) {
      const d = duration();
      shared.observe({ after: d, atMost: d });
    }
    for (let i = 0; i < 1 + random() * 40; i++) later.push(duration());
    const one = LearnedSchedule.fromJSON(shared.toJSON(), { halfLife });
    const batch = new LearnedSchedule({ halfLife });
    // Some waits are given up: their jobs ran longer.
    for (const [i, d] of later.entries()) {
      for (const schedule of [one, batch]) {
        if (i % 5 === 4) schedule.abandon({ after: d, wait: `wait-${i}` });
        else schedule.observe({ after: d, atMost: d });
      }
    }
    const pooled = LearnedSchedule.fromJSON(
      aged(shared.toJSON(), later.length, halfLife),
      { halfLife },
    );
    pooled.merge(batch.toJSON());
    const [want, got] = [one.toJSON(), pooled.toJSON()];
    assert.equal(got.observations, want.observations);
    assert.ok(want.unfinished.weights.length > 0 || later.length < 5);
    for (const field of ["completed", "unfinished"] as const) {
      assert.equal(got[field].from, want[field].from, `seed ${seed}`);
      got[field].weights.forEach((weight, i) =>
        assert.ok(
          Math.abs(weight - want[field].weights[i]) <= 1e-9,
          `seed ${seed}: ${field}[${i}] ${weight} vs ${want[field].weights[i]}`,
        )
      );
    }
    for (const field of ["logSum", "logSquareSum"] as const) {
      assert.ok(
        Math.abs(got[field] - want[field]) <= 1e-9 * Math.abs(want[field]),
        `seed ${seed}: ${field}`,
      );
    }
  }
});
