import assert from "node:assert/strict";
import type {
  CompletionObservation,
  PollContext,
  PollSchedule,
  UnfinishedObservation,
} from "../../mod.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { completed, pending, setup } from "./_setup.ts";

// A schedule that records every call it gets.
function recording(): {
  schedule: PollSchedule;
  contexts: PollContext[];
  completions: CompletionObservation[];
  unfinished: UnfinishedObservation[];
} {
  const contexts: PollContext[] = [];
  const completions: CompletionObservation[] = [];
  const unfinished: UnfinishedObservation[] = [];
  const schedule: PollSchedule = {
    nextDelay: (context) => {
      contexts.push(context);
      return 1000;
    },
    observe: (observation) => void completions.push(observation),
    abandon: (observation) => void unfinished.push(observation),
  };
  return { schedule, contexts, completions, unfinished };
}

const created = () => json({ id: "j", result: "pending" }, { status: 201 });

Deno.test("a wait on a created job names itself to the schedule, from nextDelay() to observe()", async () => {
  const { schedule, contexts, completions, unfinished } = recording();
  const { client } = setup(
    [created(), pending(), pending(), completed(), created(), completed()],
    { schedule },
  );
  await client.waitForJob(await client.createJob());
  await client.waitForJob(await client.createJob());
  assert.equal(contexts.length, 2);
  const [first, second] = contexts;
  assert.ok(typeof first.wait === "object" && first.wait !== null);
  // Two polls of one wait carry one identity; the next wait has its own.
  assert.equal(second.wait, first.wait);
  assert.equal(completions[0].wait, first.wait);
  assert.ok(completions[1].wait !== undefined);
  assert.notEqual(completions[1].wait, first.wait);
  assert.deepEqual(unfinished, []);
});

Deno.test("a wait that does not know its job's start names no wait", async () => {
  const { schedule, contexts } = recording();
  const { client } = setup([pending(), completed()], { schedule });
  await client.waitForJob("j");
  assert.equal(contexts.length, 1);
  assert.equal("wait" in contexts[0], false);
});

Deno.test("a wait given up tells the schedule how long its job was seen running", async (t) => {
  await t.step("aborted", async () => {
    const { schedule, contexts, completions, unfinished } = recording();
    const { client, clock } = setup(
      [created(), pending(), pending(), pending()],
      { schedule },
    );
    const job = await client.createJob();
    const controller = new AbortController();
    const waiting = client.waitForJob(job, { signal: controller.signal });
    await clock.sleep(1500);
    controller.abort(new Error("enough"));
    await assert.rejects(waiting, { message: "enough" });
    // Pending when created (0) and at the poll at 1000.
    assert.deepEqual(unfinished, [{ after: 1000, wait: contexts[0].wait }]);
    assert.deepEqual(completions, []);
  });
  await t.step("timed out", async () => {
    const { schedule, unfinished } = recording();
    const { client } = setup(
      [created(), pending(), pending(), pending(), pending()],
      { schedule, timeout: 2500 },
    );
    const job = await client.createJob();
    await assert.rejects(client.waitForJob(job), { name: "TimeoutError" });
    assert.equal(unfinished.length, 1);
    assert.equal(unfinished[0].after, 2000);
  });
});
