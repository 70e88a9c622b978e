import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { IndexedHeap } from "../timing/heap.ts";
import { seededRandom } from "../util/random.ts";
import { Scheduler } from "../timing/scheduler.ts";
import { FakeClock } from "../testing/fake_clock.ts";

interface Item {
  key: number;
  heapIndex: number;
}

Deno.test("IndexedHeap matches a sorted list under random pushes, removals and pops", () => {
  const random = seededRandom(9);
  const heap = new IndexedHeap<Item>((item) => item.key);
  const reference: Item[] = [];
  for (let step = 0; step < 5_000; step++) {
    const choice = random();
    if (choice < 0.5 || reference.length === 0) {
      const item = { key: Math.floor(random() * 100), heapIndex: -1 };
      heap.push(item);
      reference.push(item);
    } else if (choice < 0.75) {
      const item = reference.splice(
        Math.floor(random() * reference.length),
        1,
      )[0]!;
      heap.remove(item);
      assert.equal(item.heapIndex, -1);
      heap.remove(item); // a second removal does nothing
    } else {
      const smallest = Math.min(...reference.map((item) => item.key));
      const popped = heap.pop()!;
      assert.equal(popped.key, smallest);
      reference.splice(reference.indexOf(popped), 1);
    }
    assert.equal(heap.size, reference.length);
  }
});

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

Deno.test("the simulator's real clock fires timers never early, and cancels them in any phase", async () => {
  const { systemClock } = await import("../simulator/clock.ts");
  for (const delay of [0, 1, 30]) {
    const start = systemClock.now();
    const firedAt = await new Promise<number>((resolve) => {
      systemClock.setTimeout(() => resolve(systemClock.now()), delay);
    });
    assert.ok(
      firedAt - start >= delay,
      `${delay} ms fired after ${firedAt - start}`,
    );
    assert.ok(
      firedAt - start < delay + 500,
      `${delay} ms fired after ${firedAt - start}`,
    );
  }
  // Cancelled while the early timer is armed, and (most likely) while it
  // yields turn by turn just before it is due.
  for (const cancelAt of [0, 19]) {
    let fired = false;
    const start = systemClock.now();
    const handle = systemClock.setTimeout(() => fired = true, 20);
    while (systemClock.now() - start < cancelAt) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    systemClock.clearTimeout(handle);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(fired, false, `cancelled at ${cancelAt} ms`);
  }
});
