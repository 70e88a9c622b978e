import assert from "node:assert/strict";
import { RequestBudget } from "../_rate_limit.ts";
import type { Clock } from "../clock.ts";
import { FakeClock } from "./_fake_clock.ts";

/** A clock whose sleeps end only when the test says, at any time it likes. */
function stallingClock() {
  const sleeps: { ms: number; wake: () => void }[] = [];
  const clock: Clock & { time: number } = {
    time: 0,
    now: () => clock.time,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        sleeps.push({ ms, wake: resolve });
        signal?.addEventListener("abort", () => reject(signal.reason), {
          once: true,
        });
      }),
  };
  return { clock, sleeps };
}

Deno.test("RequestBudget releases in order, one interval apart", async () => {
  const clock = new FakeClock();
  const budget = new RequestBudget(10, clock);
  const start = clock.now();
  const released: [number, number][] = [];
  await Promise.all(
    [0, 1, 2, 3].map((i) =>
      budget.take().then(() => released.push([i, clock.now() - start]))
    ),
  );
  assert.deepEqual(released, [[0, 0], [1, 100], [2, 200], [3, 300]]);
  assert.equal(clock.timers, 0);
});

Deno.test("RequestBudget never bunches requests after a stall", async () => {
  const { clock, sleeps } = stallingClock();
  const budget = new RequestBudget(4, clock);
  let released = 0;
  for (let i = 0; i < 4; i++) budget.take().then(() => released++);
  await Promise.resolve();
  assert.equal(released, 1);
  assert.deepEqual(sleeps.map((s) => s.ms), [250]);
  // The event loop stalls for two seconds before the timer fires.
  clock.time = 2000;
  sleeps[0].wake();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(released, 2, "only one waiter per timer");
  assert.equal(sleeps[1].ms, 250, "the next slot counts from the release");
  assert.equal(budget.waiting, 2);
  // Drain the rest so nothing is left behind.
  for (let i = 1; i < 3; i++) {
    clock.time += 250;
    sleeps[i].wake();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.equal(released, 4);
  assert.equal(sleeps.length, 3);
});

Deno.test("RequestBudget gives up an aborted waiter's place", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const budget = new RequestBudget(1, clock);
  await budget.take();
  const controller = new AbortController();
  const order: string[] = [];
  const first = budget.take(controller.signal).then(
    () => order.push("first"),
    (reason) => order.push(`first: ${reason}`),
  );
  const second = budget.take().then(() => order.push("second"));
  controller.abort("gone");
  await first;
  assert.deepEqual(order, ["first: gone"]);
  await clock.tick(1000);
  await second;
  assert.deepEqual(order, ["first: gone", "second"]);
  assert.equal(clock.timers, 0);
  await assert.rejects(
    budget.take(AbortSignal.abort("late")),
    (e) => e === "late",
  );
});

Deno.test("RequestBudget stops its timer when every waiter leaves", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const budget = new RequestBudget(1, clock);
  await budget.take();
  const controller = new AbortController();
  const waiting = budget.take(controller.signal);
  assert.equal(clock.timers, 1);
  controller.abort(new Error("stop"));
  await assert.rejects(waiting, { message: "stop" });
  assert.equal(clock.timers, 0);
  assert.equal(budget.waiting, 0);
});
