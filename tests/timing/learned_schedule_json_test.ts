import assert from "node:assert/strict";
import { Backoff } from "../../timing/backoff.ts";
import { LearnedSchedule } from "../../timing/learned_schedule.ts";
import type { LearnedScheduleJSON } from "../../timing/learned_schedule_json.ts";
import { simulatePolling } from "../../scripts/_simulate.ts";
import { lognormal, workload } from "../../scripts/_workload.ts";
import { seededRandom } from "../../util/random.ts";

function learned(seed: number, count = 300): LearnedSchedule {
  const schedule = new LearnedSchedule({
    fallback: new Backoff({ jitter: 0 }),
  });
  simulatePolling(
    schedule,
    workload({
      count,
      seed,
      meanInterarrival: 1000,
      duration: lognormal(10_000, 0.5),
    }),
  );
  return schedule;
}

// Poll times of a wait that stays pending, as planned now.
function pollTimes(schedule: LearnedSchedule, count: number): number[] {
  const times: number[] = [];
  let elapsed = 0;
  for (let attempt = 1; attempt <= count; attempt++) {
    elapsed += schedule.nextDelay({ attempt, elapsed });
    times.push(elapsed);
  }
  return times;
}

Deno.test("LearnedSchedule.fromJSON() restores what toJSON() saved: a restarted worker starts warm", () => {
  const before = learned(1);
  const text = JSON.stringify(before);
  const after = LearnedSchedule.fromJSON(text, {
    fallback: new Backoff({ jitter: 0 }),
  });
  assert.equal(after.samples, before.samples);
  assert.deepEqual(after.toJSON(), before.toJSON());
  // Warm from its first wait: the learned plan, not the fallback's 1 s.
  assert.ok(after.nextDelay({ attempt: 1, elapsed: 0 }) > 3000);
  assert.deepEqual(
    pollTimes(after, 10),
    pollTimes(
      LearnedSchedule.fromJSON(after.toJSON(), {
        fallback: new Backoff({ jitter: 0 }),
      }),
      10,
    ),
  );
  // The document is small: trimmed bins, no options.
  assert.ok(text.length < 8000, `${text.length} characters`);
});

Deno.test("LearnedSchedule.fromJSON() rejects a corrupt or foreign document with a TypeError naming the field", async (t) => {
  const good = learned(2, 50).toJSON();
  const cases: [string, (doc: Record<string, unknown>) => unknown, string][] = [
    [
      "not JSON",
      () => "{oops",
      "'json' must be a learned schedule's JSON text",
    ],
    ["null", () => null, "'json' must be a learned schedule document"],
    ["an array", () => [], "'json' must be a learned schedule document"],
    [
      "another format",
      (doc) => ({ ...doc, format: "something-else" }),
      `'format' must be "video-status-client/learned-schedule": current value is "something-else"`,
    ],
    [
      "a newer version",
      (doc) => ({ ...doc, version: 3 }),
      "'version' must be 2: current value is 3",
    ],
    [
      "no version",
      (doc) => ({ ...doc, version: undefined }),
      "'version' must be 2",
    ],
    [
      "another layout",
      (doc) => ({ ...doc, binsPerOctave: 8 }),
      "'binsPerOctave' must be 16",
    ],
    ["fewer bins", (doc) => ({ ...doc, bins: 256 }), "'bins' must be 512"],
    [
      "negative count",
      (doc) => ({ ...doc, observations: -1 }),
      "'observations' must be a non-negative integer",
    ],
    [
      "fractional count",
      (doc) => ({ ...doc, observations: 1.5 }),
      "'observations' must be a non-negative integer",
    ],
    [
      "more weight than completions",
      (doc) => ({ ...doc, observations: 1 }),
      "'observations' must be at least the completed weight",
    ],
    [
      "NaN log sum",
      (doc) => ({ ...doc, logSum: NaN }),
      "'logSum' must be a finite number",
    ],
    [
      "impossible spread",
      (doc) => ({ ...doc, logSquareSum: 0 }),
      "'logSquareSum' must be a finite number of at least",
    ],
    [
      "bins missing",
      (doc) => ({ ...doc, completed: undefined }),
      "'completed' must be an object",
    ],
    [
      "bins out of range",
      (doc) => ({ ...doc, completed: { from: 510, weights: [1, 1, 1] } }),
      "'completed.weights' must be an array of at most 2 numbers",
    ],
    [
      "a negative weight",
      (doc) => ({ ...doc, unfinished: { from: 3, weights: [0, -1] } }),
      "'unfinished.weights[1]' must be a non-negative finite number: current value is -1",
    ],
    [
      "a string weight",
      (doc) => ({ ...doc, unfinished: { from: 3, weights: ["1"] } }),
      `'unfinished.weights[0]' must be a non-negative finite number: current value is "1"`,
    ],
    [
      "a fractional first bin",
      (doc) => ({ ...doc, unfinished: { from: 0.5, weights: [] } }),
      "'unfinished.from' must be an integer from 0 to 512",
    ],
  ];
  for (const [name, corrupt, message] of cases) {
    await t.step(name, () => {
      const document = corrupt(
        structuredClone(good) as unknown as Record<string, unknown>,
      );
      for (const action of ["restore", "merge"] as const) {
        const target = new LearnedSchedule();
        const before = JSON.stringify(target);
        assert.throws(
          () =>
            action === "restore"
              ? LearnedSchedule.fromJSON(document)
              : target.merge(document),
          (error: unknown) =>
            error instanceof TypeError &&
            error.message.startsWith(`Cannot ${action} LearnedSchedule as `) &&
            error.message.includes(message),
          `${action}: ${message}`,
        );
        // Nothing was merged.
        assert.equal(JSON.stringify(target), before);
      }
    });
  }
});

Deno.test("LearnedSchedule.fromJSON() rejects any single corrupted number", () => {
  const good = learned(3, 80).toJSON();
  const random = seededRandom(99);
  const bad = [-1, NaN, Infinity, "7", null, 1e300];
  for (let i = 0; i < 200; i++) {
    const document = structuredClone(good) as LearnedScheduleJSON;
    const bins = random() < 0.5 ? document.completed : document.unfinished;
    if (bins.weights.length === 0) bins.weights.push(0);
    const at = Math.floor(random() * bins.weights.length);
    const value = bad[Math.floor(random() * bad.length)];
    (bins.weights as unknown[])[at] = value;
    if (value === 1e300) {
      // Finite and positive, but more weight than the jobs learned from.
      if (bins === document.unfinished) continue;
    }
    assert.throws(() => LearnedSchedule.fromJSON(document), TypeError);
  }
});

Deno.test("LearnedSchedule.merge() pools what two workers learned", () => {
  const a = learned(4, 200);
  const b = learned(5, 200);
  const pooled = LearnedSchedule.fromJSON(a.toJSON());
  pooled.merge(JSON.stringify(b));
  assert.equal(pooled.samples, a.samples + b.samples);
  const doc = pooled.toJSON();
  const [sa, sb] = [a.toJSON(), b.toJSON()];
  const total = (d: LearnedScheduleJSON) =>
    d.completed.weights.reduce((sum, w) => sum + w, 0);
  assert.ok(Math.abs(total(doc) - total(sa) - total(sb)) < 1e-9);
  assert.ok(Math.abs(doc.logSum - sa.logSum - sb.logSum) < 1e-6);
  // Both learned the same durations: pooled, the median stays.
  const median = pooled.quantile(0.5)!;
  assert.ok(Math.abs(median / a.quantile(0.5)! - 1) < 0.05);
  // Two workers with different jobs: the pool lies between them.
  const short = new LearnedSchedule();
  const long = new LearnedSchedule();
  for (let i = 0; i < 50; i++) {
    short.observe({ after: 5000, atMost: 5000 });
    long.observe({ after: 20_000, atMost: 20_000 });
  }
  short.merge(long.toJSON());
  assert.ok(Math.abs(short.quantile(0.25)! - 5000) < 300);
  assert.ok(Math.abs(short.quantile(0.75)! - 20_000) < 1000);
});
