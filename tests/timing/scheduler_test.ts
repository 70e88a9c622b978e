import assert from "node:assert/strict";
import { Scheduler } from "../../timing/scheduler.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { seededRandom } from "../../util/random.ts";

Deno.test("Scheduler runs tasks in time order on one timer and clears it when idle", async () => {
  const clock = new FakeClock({ start: 0, autoAdvance: false });
  const scheduler = new Scheduler(clock);
  const ran: number[] = [];
  for (const at of [300, 100, 200, 100]) {
    scheduler.schedule(at, () => ran.push(at));
  }
  const cancelled = scheduler.schedule(150, () => ran.push(150));
  assert.equal(clock.timers, 1);
  scheduler.cancel(cancelled);
  scheduler.cancel(cancelled);
  await clock.tick(100);
  assert.deepEqual(ran, [100, 100]);
  await clock.tick(200);
  assert.deepEqual(ran, [100, 100, 200, 300]);
  assert.equal(scheduler.size, 0);
  assert.equal(clock.timers, 0);
});

Deno.test("Scheduler runs a task scheduled from a task and re-arms earlier deadlines", async () => {
  const clock = new FakeClock({ start: 0, autoAdvance: false });
  const scheduler = new Scheduler(clock);
  const ran: string[] = [];
  scheduler.schedule(1_000, () => ran.push("late"));
  scheduler.schedule(10, () => {
    ran.push("first");
    scheduler.schedule(clock.now(), () => ran.push("chained"));
  });
  await clock.tick(10);
  assert.deepEqual(ran, ["first", "chained"]);
  scheduler.close();
  assert.equal(clock.timers, 0);
  await clock.tick(2_000);
  assert.deepEqual(ran, ["first", "chained"]);
});

Deno.test("Scheduler keeps one sleep pending, ended when an earlier deadline comes", async () => {
  const clock = new FakeClock({ start: 0, autoAdvance: false });
  const scheduler = new Scheduler(clock);
  const ran: number[] = [];
  scheduler.schedule(1_000, () => ran.push(1_000));
  scheduler.schedule(2_000, () => ran.push(2_000));
  assert.deepEqual(clock.sleeps, [1_000]);
  scheduler.schedule(10, () => ran.push(10));
  // The sleep until 1 000 was aborted, not left to run out.
  assert.equal(clock.timers, 1);
  assert.deepEqual(clock.sleeps, [1_000, 10]);
  await clock.tick(10);
  assert.deepEqual(ran, [10]);
  assert.deepEqual(clock.sleeps, [1_000, 10, 990]);
  await clock.tick(1_990);
  assert.deepEqual(ran, [10, 1_000, 2_000]);
  assert.equal(clock.timers, 0);
});

Deno.test("Scheduler ignores a sleep that ends after it was replaced", async () => {
  // A clock whose sleeps resolve even when aborted, as a sleep that ended in
  // the same turn as the abort does.
  let now = 0;
  const wakes: (() => void)[] = [];
  const clock = {
    now: () => now,
    sleep: () => new Promise<void>((resolve) => wakes.push(resolve)),
  };
  const scheduler = new Scheduler(clock);
  const ran: string[] = [];
  scheduler.schedule(100, () => ran.push("late"));
  scheduler.schedule(50, () => ran.push("early"));
  assert.equal(wakes.length, 2);
  now = 60;
  wakes[0]!(); // the replaced sleep: nothing may run from it
  await Promise.resolve();
  assert.deepEqual(ran, []);
  wakes[1]!();
  await Promise.resolve();
  assert.deepEqual(ran, ["early"]);
  scheduler.close();
});

Deno.test("Scheduler sleeps exactly until a deadline, fractions included, and never runs a task early", async () => {
  const random = seededRandom(3);
  for (let trial = 0; trial < 50; trial++) {
    // A clock that sleeps to the microsecond, like the simulator's precise
    // one; or one on whole-millisecond timers that drops the fraction, which
    // ends its sleeps early.
    const truncates = trial % 2 === 1;
    let now = random() * 1_000;
    const sleeps: number[] = [];
    const clock = {
      now: () => now,
      sleep: (ms: number) => {
        sleeps.push(ms);
        now += truncates ? Math.trunc(ms) : ms;
        return Promise.resolve();
      },
    };
    const scheduler = new Scheduler(clock);
    const start = now;
    const at = now + random() * 50;
    const ranAt = await new Promise<number>((resolve) =>
      scheduler.schedule(at, () => resolve(now))
    );
    assert.ok(ranAt >= at, `ran at ${ranAt}, due at ${at}`);
    if (truncates) {
      // The fraction lost once, then a whole millisecond: two sleeps at most.
      assert.ok(sleeps.length <= 2, `${sleeps.length} sleeps`);
      assert.ok(ranAt < at + 1, `ran at ${ranAt}, due at ${at}`);
    } else {
      // Rounded up, the sleep would wake up to 1 ms after the deadline.
      assert.deepEqual(sleeps, [ranAt - start]);
      assert.equal(ranAt, at);
    }
  }
});
