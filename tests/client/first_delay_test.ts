// A schedule's `firstDelay()`: when a wait that knows its job's start sends
// its first request, in `waitForJob()` and in steps alike.

import assert from "node:assert/strict";
import {
  type FirstDelayContext,
  LearnedSchedule,
  type PollSchedule,
  type UnfinishedObservation,
} from "../../mod.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { completed, pending, setup } from "./_setup.ts";
import { TestSource } from "./_webhook_source.ts";

const created = () => json({ id: "j", result: "pending" }, { status: 201 });

/** A learned schedule that has seen 50 jobs of 9 to 10 s, and what it was asked. */
function trained(): {
  schedule: PollSchedule;
  firstDelays: number[];
  contexts: FirstDelayContext[];
  unfinished: UnfinishedObservation[];
} {
  const learned = new LearnedSchedule({ targetLatency: 2000 });
  for (let i = 0; i < 50; i++) learned.observe({ after: 9000, atMost: 10_000 });
  const firstDelays: number[] = [];
  const contexts: FirstDelayContext[] = [];
  const unfinished: UnfinishedObservation[] = [];
  const schedule: PollSchedule = {
    nextDelay: (context) => learned.nextDelay(context),
    firstDelay: (context) => {
      contexts.push(context);
      const delay = learned.firstDelay(context);
      firstDelays.push(delay);
      return delay;
    },
    observe: (observation) => learned.observe(observation),
    abandon: (observation) => {
      unfinished.push(observation);
      learned.abandon(observation);
    },
  };
  return { schedule, firstDelays, contexts, unfinished };
}

/** A schedule whose first delay is `value`, polling every second after. */
const firstOf = (value: number): PollSchedule => ({
  nextDelay: () => 1000,
  firstDelay: () => value,
});

Deno.test("a trained schedule defers the first request of a created job to its plan", async () => {
  const { schedule, firstDelays, contexts } = trained();
  const { client, clock, sentAt } = setup(
    [created(), completed()],
    { schedule },
  );
  const job = await client.createJob();
  await clock.sleep(500);
  const final = await client.waitForJob(job);
  // Asked with the job's age, the wait's name; the request went then.
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].elapsed, 500);
  assert.equal(typeof contexts[0].wait, "string");
  assert.ok(firstDelays[0] >= 7000, `first delay ${firstDelays[0]}`);
  assert.deepEqual(sentAt, [0, 500 + firstDelays[0]]);
  assert.equal(final.attempt, 1);
});

Deno.test("the first request goes at once where no delay applies", async (t) => {
  await t.step("the job's start is unknown: not even asked", async () => {
    const { schedule, contexts } = trained();
    const { client, sentAt } = setup([completed()], { schedule });
    await client.waitForJob("j");
    assert.deepEqual(sentAt, [0]);
    assert.equal(contexts.length, 0);
  });
  await t.step("the learned schedule is still on its fallback", async () => {
    const { client, sentAt } = setup([created(), completed()], {
      schedule: new LearnedSchedule(),
    });
    await client.waitForJob(await client.createJob());
    assert.deepEqual(sentAt, [0, 0]);
  });
  await t.step("webhooks make polling the safety net", async () => {
    const { schedule, contexts } = trained();
    const { client, sentAt } = setup([created(), completed()], {
      schedule,
      webhooks: new TestSource(),
    });
    await client.waitForJob(await client.createJob());
    assert.deepEqual(sentAt, [0, 0]);
    assert.equal(contexts.length, 0);
  });
  await t.step("the create answer was final: no request at all", async () => {
    const { schedule, contexts } = trained();
    const { client, sentAt } = setup(
      [json({ id: "j", result: "completed" }, { status: 201 })],
      { schedule },
    );
    const job = await client.createJob();
    assert.equal((await client.waitForJob(job)).result, "completed");
    assert.equal((await client.step(job)).done, true);
    assert.deepEqual(sentAt, [0]);
    assert.equal(contexts.length, 0);
  });
});

Deno.test("a first step that defers sends nothing and says how long to sleep", async () => {
  const { schedule, firstDelays } = trained();
  const { client, clock, sentAt } = setup(
    [created(), pending(), completed()],
    { schedule },
  );
  const job = await client.createJob();
  const first = await client.step(job);
  assert.equal(first.done, false);
  assert.equal(first.update, undefined);
  assert.equal(first.delay, firstDelays[0]);
  assert.equal(first.state.attempts, 0);
  assert.deepEqual(sentAt, [0]);
  // The next step, after the delay, sends the wait's first request.
  await clock.sleep(first.delay!);
  const second = await client.step(JSON.parse(JSON.stringify(first.state)));
  assert.equal(second.update?.result, "pending");
  assert.equal(second.update?.attempt, 1);
  assert.deepEqual(sentAt, [0, firstDelays[0]]);
  // The schedule was asked once: a later step does not defer again.
  assert.equal(firstDelays.length, 1);
});

Deno.test("a first delay past the deadline ends the wait with its TimeoutError at the deadline", async () => {
  const { client, clock, sentAt } = setup([created()], {
    schedule: firstOf(60_000),
  });
  const job = await client.createJob();
  const start = clock.now();
  await assert.rejects(client.waitForJob(job, { timeout: 5000 }), {
    name: "TimeoutError",
  });
  assert.equal(clock.now() - start, 5000);
  assert.deepEqual(sentAt, [0]);
  // In steps: the delay stops at the deadline, and the next step times out.
  const step = await client.step(job, { timeout: 5000 });
  assert.equal(step.delay, 5000);
  await clock.sleep(step.delay!);
  await assert.rejects(client.step(step.state), { name: "TimeoutError" });
  assert.deepEqual(sentAt, [0]);
});

Deno.test("a first delay that is not a non-negative finite number is a RangeError", async () => {
  for (const value of [NaN, -1, Infinity]) {
    const { client, sentAt } = setup([created(), created()], {
      schedule: firstOf(value),
    });
    const job = await client.createJob();
    await assert.rejects(client.waitForJob(job), {
      name: "RangeError",
      message: /'firstDelay\(\)'/,
    });
    await assert.rejects(client.step(job), RangeError);
    assert.deepEqual(sentAt, [0]);
  }
});

Deno.test("an abort during the first delay rejects with signal.reason and tells the schedule", async () => {
  const { schedule, contexts, unfinished } = trained();
  const { client, clock, sentAt } = setup([created()], { schedule });
  const job = await client.createJob();
  const controller = new AbortController();
  const waiting = client.waitForJob(job, { signal: controller.signal });
  await clock.sleep(1000);
  const reason = new Error("enough");
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  assert.deepEqual(sentAt, [0]);
  // The job was pending when created: it ran longer than 0.
  assert.deepEqual(unfinished, [{ after: 0, wait: contexts[0].wait }]);
  assert.equal(clock.timers, 0);
});

Deno.test("after a deferred first request, the server's hint still wins", async () => {
  const { client, clock, sentAt } = setup([
    created(),
    json({ result: "pending" }, { headers: { "retry-after": "30" } }),
    completed(),
  ], { schedule: firstOf(8000) });
  const job = await client.createJob();
  const start = clock.now();
  await client.waitForJob(job);
  // Asked at 8 s, told to come back in 30 s (the schedule said 1 s).
  assert.deepEqual(sentAt, [0, 8000, 38_000]);
  assert.equal(clock.now() - start, 38_000);
});
