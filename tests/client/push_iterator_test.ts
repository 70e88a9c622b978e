import assert from "node:assert/strict";
import { type Push, pushIterator } from "../../client/push_iterator.ts";
import { seededRandom } from "../../util/random.ts";

/** Lets every pending promise job run `n` times over. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** A task that stays pending until its signal aborts, then rejects with the reason. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    })
  );
}

Deno.test("pushIterator() keeps one value a newer one drops, and every kept one", async () => {
  const values = pushIterator<number>((push) => {
    for (let i = 1; i <= 1000; i++) push(i, i === 500);
    push(1001, true);
    return Promise.resolve();
  }, undefined);
  assert.deepEqual(await Array.fromAsync(values), [500, 1001]);
});

Deno.test("pushIterator() yields, for any pace of task and consumer, the newest value and every kept one, in order", async () => {
  const random = seededRandom(3);
  for (let run = 0; run < 100; run++) {
    const count = 1 + Math.floor(random() * 50);
    const kept = new Set<number>();
    let newest = 0;
    const task = async (push: Push<number>) => {
      for (let i = 1; i <= count; i++) {
        await turns(Math.floor(random() * 4));
        const keep = i === count || random() < 0.1;
        if (keep) kept.add(i);
        newest = i;
        push(i, keep);
      }
    };
    const yielded: number[] = [];
    const values = pushIterator(task, undefined);
    while (true) {
      const asked = newest;
      const { value, done } = await values.next();
      if (done) break;
      // A droppable value is never older than what was pushed before it
      // was asked for: the queue held no older one.
      assert.ok(kept.has(value) || value >= asked, `run ${run}: ${value}`);
      assert.ok(value > (yielded.at(-1) ?? 0), `run ${run}: order`);
      yielded.push(value);
      await turns(Math.floor(random() * 8));
    }
    assert.deepEqual(yielded.filter((value) => kept.has(value)), [...kept]);
  }
});

Deno.test("pushIterator() yields nothing queued once the caller's signal aborts", async () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  let taskSignal: AbortSignal | undefined;
  const values = pushIterator<number>((push, signal) => {
    taskSignal = signal;
    for (let i = 1; i <= 14; i++) push(i, true);
    return untilAborted(signal);
  }, controller.signal);
  assert.deepEqual(await values.next(), { value: 1, done: false });
  controller.abort(reason);
  await assert.rejects(values.next(), (error) => error === reason);
  assert.equal(taskSignal?.reason, reason);
  assert.deepEqual(await values.next(), { value: undefined, done: true });
});

Deno.test("pushIterator() rejects a waiting next() as soon as the signal aborts", async () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  const values = pushIterator<number>(
    (_, signal) => untilAborted(signal),
    controller.signal,
  );
  const waiting = values.next();
  await turns(3);
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
});

Deno.test("pushIterator() with an aborted signal starts nothing", async () => {
  const reason = new Error("already");
  let started = false;
  const values = pushIterator<number>(() => {
    started = true;
    return Promise.resolve();
  }, AbortSignal.abort(reason));
  await assert.rejects(values.next(), (error) => error === reason);
  assert.equal(started, false);
});

Deno.test("pushIterator() return() aborts the task and waits for it to settle", async () => {
  let settled = false;
  let taskSignal: AbortSignal | undefined;
  const values = pushIterator<number>(async (push, signal) => {
    taskSignal = signal;
    push(1, false);
    await untilAborted(signal).finally(() => settled = true);
  }, undefined);
  for await (const _ of values) break;
  assert.equal(taskSignal?.aborted, true);
  assert.equal(settled, true);
  assert.deepEqual(await values.next(), { value: undefined, done: true });
});

Deno.test("pushIterator() throws the task's error after the kept values", async () => {
  const oops = new Error("failed");
  const values = pushIterator<number>((push) => {
    push(1, true);
    push(2, true);
    return Promise.reject(oops);
  }, undefined);
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const value of values) seen.push(value);
  }, (error) => error === oops);
  assert.deepEqual(seen, [1, 2]);
});
