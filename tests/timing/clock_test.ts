import assert from "node:assert/strict";
import { delay, MAX_TIMER_DELAY } from "../../timing/clock.ts";

Deno.test("delay() longer than a runtime timer holds does not end early", async () => {
  const controller = new AbortController();
  let settled = false;
  const sleeping = delay(MAX_TIMER_DELAY + 60_000, controller.signal).finally(
    () => settled = true,
  );
  // An unclamped timer overflows and fires at once.
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(settled, false);
  const reason = new Error("stop");
  controller.abort(reason);
  await assert.rejects(sleeping, (error) => error === reason);
});

Deno.test("delay() wakes sleeps in deadline order", async () => {
  const order: number[] = [];
  await Promise.all(
    [30, 1, 15].map((ms) => delay(ms).then(() => order.push(ms))),
  );
  assert.deepEqual(order, [1, 15, 30]);
});

Deno.test("delay() resolves after the time and rejects with the abort reason", async () => {
  await delay(1);
  const reason = new Error("stop");
  await assert.rejects(
    delay(1, AbortSignal.abort(reason)),
    (e) => e === reason,
  );
  const controller = new AbortController();
  const sleeping = delay(100_000, controller.signal);
  controller.abort(reason);
  await assert.rejects(sleeping, (e) => e === reason);
});
