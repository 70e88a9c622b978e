import assert from "node:assert/strict";
import { Job, JobStore } from "../../simulator/jobs.ts";
import { Scheduler } from "../../timing/scheduler.ts";
import { FakeClock } from "../../testing/fake_clock.ts";

Deno.test("JobStore.cancel() ends a pending job now, and the store evicts it as one that ended now", () => {
  const scheduler = new Scheduler(new FakeClock({ start: 0 }));
  const store = new JobStore(2);
  const early = new Job("early", 0, 10_000, "completed");
  const late = new Job("late", 0, 50_000, "completed");
  store.add(early, 0);
  store.add(late, 0);
  assert.equal(store.cancel(late, scheduler, 5_000), true);
  assert.equal(late.finishAt, 5_000);
  assert.equal(late.outcome, "canceled");
  assert.equal(late.status(5_000), "canceled");
  assert.equal(store.nextFinish(), 5_000);
  // Full: the canceled job, which ended first, makes room; the pending one stays.
  assert.equal(store.add(new Job("next", 6_000, 9_000, "error"), 6_000), true);
  assert.equal(store.get("late"), undefined);
  assert.equal(store.get("early"), early);
});

Deno.test("Job.cancel() changes nothing once the job is final", () => {
  const scheduler = new Scheduler(new FakeClock({ start: 0 }));
  const job = new Job("a1", 0, 1_000, "error");
  assert.equal(job.cancel(scheduler, 1_000), false);
  assert.equal(job.status(2_000), "error");
  assert.equal(job.finishAt, 1_000);
  assert.equal(
    job.snapshot(2_000).errorMessage,
    "Simulated failure: the video could not be translated",
  );
});

Deno.test("Job.cancel() tells the job's listeners on the scheduler's next turn", async () => {
  const clock = new FakeClock({ start: 0, autoAdvance: false });
  const scheduler = new Scheduler(clock);
  const job = new Job("a1", 0, 60_000, "completed");
  const heard: number[] = [];
  job.onFinish(scheduler, () => heard.push(clock.now()));
  await clock.tick(1_000);
  job.cancel(scheduler, clock.now());
  assert.deepEqual(heard, []);
  await clock.tick(0);
  assert.deepEqual(heard, [1_000]);
  await clock.tick(60_000);
  assert.deepEqual(heard, [1_000], "heard once");
  assert.equal(scheduler.size, 0);
});
