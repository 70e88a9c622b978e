import assert from "node:assert/strict";
import { seededRandom } from "../../util/random.ts";

Deno.test("seededRandom() repeats its sequence for a seed", () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const first = Array.from({ length: 1000 }, a);
  assert.deepEqual(first, Array.from({ length: 1000 }, b));
  assert.notDeepEqual(first, Array.from({ length: 1000 }, seededRandom(43)));
  assert.ok(first.every((x) => x >= 0 && x < 1));
  const mean = first.reduce((sum, x) => sum + x, 0) / first.length;
  assert.ok(Math.abs(mean - 0.5) < 0.03);
});
