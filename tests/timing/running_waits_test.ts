import assert from "node:assert/strict";
import { LearnedSchedule } from "../../timing/learned_schedule.ts";
import { seededRandom } from "../../util/random.ts";
import { assertSameEstimate } from "./_same_estimate.ts";

/** One call a worker makes on its schedule. */
type Call = (schedule: LearnedSchedule) => void;

/**
 * Whether two schedules learned the same, to within rounding: a restored
 * schedule sums its weights bin by bin, the original job by job.
 */
function assertSameLearning(
  actual: LearnedSchedule,
  expected: LearnedSchedule,
  label: string,
): void {
  const a = actual.toJSON();
  const e = expected.toJSON();
  const close = (x: number, y: number, what: string): void =>
    assert.ok(Math.abs(x - y) <= 1e-9 * Math.abs(y), `${label}: ${what}`);
  assert.equal(a.observations, e.observations, label);
  close(a.logSum, e.logSum, "logSum");
  close(a.logSquareSum, e.logSquareSum, "logSquareSum");
  for (const bins of ["completed", "unfinished"] as const) {
    assert.equal(a[bins].from, e[bins].from, `${label}: ${bins}`);
    assert.equal(a[bins].weights.length, e[bins].weights.length, label);
    a[bins].weights.forEach((weight, i) =>
      close(weight, e[bins].weights[i], `${bins}[${i}]`)
    );
  }
}

/**
 * A worker's calls before a sync: completions (some of named waits), and
 * waits still running, some seen again older; and after it: new waits, the
 * running ones seen again, then every wait ended.
 */
function script(seed: number): { before: Call[]; after: Call[] } {
  const random = seededRandom(seed);
  const before: Call[] = [];
  const after: Call[] = [];
  const running: { wait: string; age: number }[] = [];
  const start = (calls: Call[], wait: string): void => {
    const age = 120_000 * random() ** 2;
    running.push({ wait, age });
    calls.push((s) => s.firstDelay({ elapsed: age, wait }));
  };
  const seeAgain = (calls: Call[]): void => {
    const known = running[Math.floor(random() * running.length)];
    known.age += 30_000 * random();
    const { wait, age } = known;
    calls.push((s) => s.nextDelay({ attempt: 2, elapsed: age, wait }));
  };
  const jobs = 5 + Math.floor(random() * 60);
  for (let i = 0; i < jobs; i++) {
    const duration = 5000 + 10_000 * random();
    const wait = random() < 0.3 ? `done ${i}` : undefined;
    if (wait !== undefined) {
      const elapsed = duration * random();
      before.push((s) => s.firstDelay({ elapsed, wait }));
    }
    const after = duration - 1000 * random();
    before.push((s) => s.observe({ after, atMost: duration, wait }));
  }
  const waits = 1 + Math.floor(random() * 40);
  for (let i = 0; i < waits; i++) start(before, `old ${i}`);
  for (let i = 0; i < waits / 2; i++) seeAgain(before);
  for (let i = 0; i < waits / 2; i++) start(after, `new ${i}`);
  for (let i = 0; i < waits; i++) seeAgain(after);
  while (running.length > 0) {
    const [{ wait, age }] = running.splice(random() * running.length, 1);
    const end = age + 60_000 * random();
    // Any bracket, even one that begins before the wait (as a job that
    // ended before the wait's first answer), teaches the same on both.
    const from = random() < 0.3 ? end * random() : end;
    after.push(
      random() < 0.8
        ? (s) => s.observe({ after: from, atMost: end + 5000, wait })
        : (s) => s.abandon({ after: end, wait }),
    );
  }
  return { before, after };
}

Deno.test("a schedule that takes over another's running waits learns as the other would have", () => {
  const random = seededRandom(41);
  for (let run = 0; run < 40; run++) {
    const options = { halfLife: 1 + 300 * random(), minSamples: 1 };
    const { before, after } = script(1000 + run);
    const direct = new LearnedSchedule(options);
    const old = new LearnedSchedule(options);
    for (const call of before) [direct, old].forEach(call);
    const rebuilt = LearnedSchedule.fromJSON(old.toJSON(), options);
    const bare = LearnedSchedule.fromJSON(old.toJSON(), options);
    rebuilt.takeRunningWaits(old);
    const label = `run ${run}`;
    // Not a tick: what was learned is as recent as before the carry.
    assert.deepEqual(rebuilt.toJSON(), direct.toJSON(), label);
    // The running waits are evidence as they were, and only there now.
    assertSameEstimate(rebuilt, direct, label);
    assertSameEstimate(old, bare, label);
    // New waits tick from where the old ones stand; the carried ones keep
    // their weight and since when they were watched, so that their ends
    // teach the same.
    for (const call of after) [direct, rebuilt].forEach(call);
    assertSameLearning(rebuilt, direct, label);
    assertSameEstimate(rebuilt, direct, label);
  }
});

Deno.test("without its running waits, a rebuilt schedule plans for shorter jobs", () => {
  const schedule = new LearnedSchedule({ targetLatency: 1000 });
  for (let i = 0; i < 40; i++) {
    schedule.observe({ after: 8000 + 100 * i, atMost: 8100 + 100 * i });
  }
  for (let i = 0; i < 40; i++) {
    schedule.firstDelay({ elapsed: 30_000 + 500 * i, wait: `long ${i}` });
  }
  const bare = LearnedSchedule.fromJSON(schedule.toJSON(), {
    targetLatency: 1000,
  });
  const rebuilt = LearnedSchedule.fromJSON(schedule.toJSON(), {
    targetLatency: 1000,
  });
  const p75 = schedule.quantile(0.75)!;
  rebuilt.takeRunningWaits(schedule);
  assert.ok(bare.quantile(0.75)! < 13_000, `${bare.quantile(0.75)}`);
  assert.ok(p75 > 30_000, `${p75}`);
  assert.equal(rebuilt.quantile(0.75), p75);
});

Deno.test("a wait both schedules know counts once, at its older age; taking one's own waits changes nothing", () => {
  const options = { halfLife: 50, minSamples: 1 };
  const calls: Call[] = [
    (s) => s.observe({ after: 9000, atMost: 10_000 }),
    (s) => s.firstDelay({ elapsed: 5000, wait: "both" }),
  ];
  const target = new LearnedSchedule(options);
  const other = new LearnedSchedule(options);
  const direct = new LearnedSchedule(options);
  for (const call of calls) [target, other, direct].forEach(call);
  other.nextDelay({ attempt: 2, elapsed: 50_000, wait: "both" });
  direct.nextDelay({ attempt: 2, elapsed: 50_000, wait: "both" });
  target.takeRunningWaits(other);
  target.takeRunningWaits(target);
  assertSameEstimate(target, direct, "carried");
  const end = { after: 60_000, atMost: 61_000, wait: "both" };
  target.observe(end);
  direct.observe(end);
  assert.deepEqual(target.toJSON(), direct.toJSON());
});
