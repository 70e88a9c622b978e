import assert from "node:assert/strict";
import { RequestBudget } from "../../client/budget.ts";
import type { Clock } from "../../timing/clock.ts";
import { seededRandom } from "../../util/random.ts";
import { FakeClock } from "../../testing/fake_clock.ts";

/** The most requests in any window of `window` ms. */
function busiest(times: number[], window = 1000): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= window) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

Deno.test("RequestBudget lets a burst up to the budget go, then one as each leaves the window", async () => {
  const clock = new FakeClock();
  const budget = new RequestBudget(3, clock);
  const start = clock.now();
  const released: [number, number][] = [];
  await Promise.all(
    [0, 1, 2, 3, 4, 5, 6].map((i) =>
      budget.take().then(() => released.push([i, clock.now() - start]))
    ),
  );
  assert.deepEqual(released, [
    [0, 0],
    [1, 0],
    [2, 0],
    [3, 1001],
    [4, 1001],
    [5, 1001],
    [6, 2002],
  ]);
  assert.equal(clock.timers, 0);
});

Deno.test("RequestBudget below one a second spaces requests", async () => {
  const clock = new FakeClock();
  const budget = new RequestBudget(0.5, clock);
  const start = clock.now();
  const times: number[] = [];
  await Promise.all(
    [0, 1, 2].map(() =>
      budget.take().then(() => times.push(clock.now() - start))
    ),
  );
  assert.deepEqual(times, [0, 2001, 4002]);
});

/** A clock whose timers fire as late as a seeded random stall says. */
function stallingClock(seed: number): Clock {
  const random = seededRandom(seed);
  let now = 0;
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        const stall = random() < 0.2 ? random() * 3000 : random() * 5;
        const timer = setTimeout(() => {
          now += ms + stall;
          resolve();
        }, 0);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(signal.reason);
        }, { once: true });
      }),
  };
}

Deno.test("RequestBudget never exceeds the budget in any second, however late its timer fires", async () => {
  for (const seed of [1, 2, 3]) {
    const clock = stallingClock(seed);
    const budget = new RequestBudget(5, clock);
    const times: number[] = [];
    await Promise.all(
      Array.from(
        { length: 60 },
        () => budget.take().then(() => times.push(clock.now())),
      ),
    );
    assert.equal(times.length, 60);
    assert.ok(
      busiest(times) <= 5,
      `seed ${seed}: ${busiest(times)} in a second`,
    );
  }
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
  await clock.tick(1001);
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

Deno.test("RequestBudget counts a slot from when its request was really sent", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const budget = new RequestBudget(1, clock);
  const start = clock.now();
  const ticket = await budget.take();
  await clock.tick(600);
  budget.sending(ticket);
  let releasedAt = -1;
  const next = budget.take().then(() => releasedAt = clock.now() - start);
  await clock.tick(400);
  assert.equal(
    releasedAt,
    -1,
    "released a second after the slot, not the send",
  );
  await clock.tick(601);
  await next;
  assert.equal(releasedAt, 1601);
});
