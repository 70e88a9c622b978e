import assert from "node:assert/strict";
import { IndexedHeap } from "../heap.ts";
import { seededRandom } from "../simulator/random.ts";
import { Scheduler } from "../scheduler.ts";
import { FakeClock } from "./_fake_clock.ts";

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
