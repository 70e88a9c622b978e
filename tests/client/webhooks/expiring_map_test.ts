import assert from "node:assert/strict";
import { ExpiringMap } from "../../../client/webhooks/expiring_map.ts";
import { FakeClock } from "../../../testing/fake_clock.ts";
import { seededRandom } from "../../../util/random.ts";

Deno.test("ExpiringMap forgets an entry ttl ms after it was last set", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const map = new ExpiringMap<string, number>(10, 1_000, clock);
  map.set("a", 1);
  await clock.tick(600);
  map.set("b", 2).set("a", 3); // "a" set again: its ttl starts over
  await clock.tick(999);
  assert.equal(map.get("a"), 3);
  assert.equal(map.get("b"), 2);
  await clock.tick(1);
  assert.equal(map.get("a"), undefined);
  assert.equal(map.size, 0);
});

Deno.test("ExpiringMap drops the least recently set entries beyond maxSize", () => {
  const map = new ExpiringMap<number, number>(3, 60_000, new FakeClock());
  for (let i = 0; i < 10; i++) map.set(i, i);
  assert.equal(map.size, 3);
  assert.deepEqual([7, 8, 9].map((key) => map.get(key)), [7, 8, 9]);
  assert.equal(map.get(6), undefined);
});

Deno.test("ExpiringMap never holds more than maxSize entries, nor one older than ttl (seeded property)", async () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const random = seededRandom(seed);
    const clock = new FakeClock({ autoAdvance: false });
    const maxSize = 1 + Math.floor(random() * 20);
    const ttl = Math.floor(random() * 5_000);
    const map = new ExpiringMap<number, number>(maxSize, ttl, clock);
    const setAt = new Map<number, number>();
    for (let step = 0; step < 400; step++) {
      const key = Math.floor(random() * 100);
      if (random() < 0.7) {
        map.set(key, step);
        setAt.set(key, clock.now());
      } else await clock.tick(Math.floor(random() * 500));
      assert.ok(map.size <= maxSize, `seed ${seed}: ${map.size} > ${maxSize}`);
      const value = map.get(key);
      if (value !== undefined) {
        assert.ok(clock.now() - setAt.get(key)! < ttl, `seed ${seed}: stale`);
      }
    }
  }
});
