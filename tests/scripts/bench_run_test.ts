import assert from "node:assert/strict";
import { staggeredStart } from "../../scripts/_bench_run.ts";
import { seededRandom } from "../../util/random.ts";

Deno.test("staggeredStart() spreads the strategies of a phase evenly over one mean gap", () => {
  const random = seededRandom(8);
  for (let trial = 0; trial < 50; trial++) {
    const start = random() * 1e12;
    const count = 1 + Math.floor(random() * 8);
    const gap = random() * 1_000;
    const starts = Array.from(
      { length: count },
      (_, position) => staggeredStart(start, position, count, gap),
    );
    assert.equal(starts[0], start);
    for (let i = 1; i < count; i++) {
      const step = starts[i] - starts[i - 1];
      assert.ok(Math.abs(step - gap / count) < 1e-3, `${step}`);
    }
    assert.ok(starts[count - 1] - start < gap || count === 1);
  }
});
