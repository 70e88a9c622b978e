import assert from "node:assert/strict";
import { Backoff } from "../../timing/backoff.ts";
import { seededRandom } from "../../util/random.ts";

Deno.test("Backoff grows by the multiplier up to maxDelay", () => {
  const backoff = new Backoff({
    initialDelay: 200,
    maxDelay: 3000,
    multiplier: 3,
    jitter: 0,
  });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 50, 5000].map((n) => backoff.delay(n)),
    [200, 600, 1800, 3000, 3000, 3000, 3000],
  );
  assert.equal(backoff.delay(0), 200);
  assert.equal(backoff.nextDelay({ attempt: 3, elapsed: 0 }), 1800);
});

Deno.test("Backoff jitter draws a delay d from [d * (1 - jitter), d]", () => {
  for (const random of [0, 0.25, 0.999999, 1]) {
    const backoff = new Backoff({ jitter: 0.4, random: () => random });
    for (let attempt = 1; attempt < 8; attempt++) {
      const capped = Math.min(5000, 1000 * 2 ** (attempt - 1));
      const delay = backoff.delay(attempt);
      assert.ok(delay <= capped && delay >= capped * 0.6, `${delay}`);
      assert.equal(delay, capped * (1 - 0.4 * random));
    }
  }
});

Deno.test("Backoff rejects parameters out of range", () => {
  assert.throws(() => new Backoff({ initialDelay: -1 }), RangeError);
  assert.throws(() => new Backoff({ initialDelay: NaN }), RangeError);
  assert.throws(() => new Backoff({ maxDelay: 500 }), /'maxDelay'.*500/);
  assert.throws(() => new Backoff({ multiplier: 0.5 }), /'multiplier'/);
  assert.throws(() => new Backoff({ jitter: -0.1 }), /'jitter'.*-0.1/);
  assert.throws(() => new Backoff({ jitter: NaN }), RangeError);
});

Deno.test("Backoff.delay() rejects a random source outside [0, 1]", () => {
  for (const value of [-0.5, 1.5, NaN]) {
    const backoff = new Backoff({ random: () => value });
    assert.throws(() => backoff.delay(1), {
      name: "RangeError",
      message:
        `Cannot compute a delay as 'random' must return a number from 0 to 1: current value is ${value}`,
    });
  }
});

Deno.test("Backoff stays finite where the power overflows", async (t) => {
  await t.step("a delay of 0 stays 0 (0 * Infinity is NaN)", () => {
    const backoff = new Backoff({ initialDelay: 0, jitter: 0 });
    assert.equal(backoff.delay(2000), 0);
    assert.equal(backoff.delay(Infinity), 0);
  });
  await t.step("a multiplier of 1 stays put (1 ** Infinity is NaN)", () => {
    const backoff = new Backoff({ multiplier: 1, jitter: 0 });
    assert.equal(backoff.delay(Infinity), 1000);
  });
  await t.step("a huge attempt is capped at maxDelay", () => {
    const backoff = new Backoff({ jitter: 0 });
    assert.equal(backoff.delay(Infinity), 5000);
    assert.equal(backoff.delay(Number.MAX_VALUE), 5000);
  });
  await t.step("NaN or a negative attempt counts as the first", () => {
    const backoff = new Backoff({ jitter: 0 });
    assert.equal(backoff.delay(NaN), 1000);
    assert.equal(backoff.delay(-Infinity), 1000);
  });
});

// A number drawn from a few magnitudes, with the edges that break arithmetic.
function anyNumber(random: () => number): number {
  const edges = [0, 1, -1, Infinity, -Infinity, Number.MAX_VALUE, 1e-300];
  if (random() < 0.2) return edges[Math.floor(random() * edges.length)];
  return (random() < 0.2 ? -1 : 1) * 10 ** (random() * 40 - 10);
}

Deno.test("Backoff.nextDelay() is finite, at least 0 and at most maxDelay for any options and context", () => {
  const random = seededRandom(2026);
  for (let run = 0; run < 2000; run++) {
    const initialDelay = random() < 0.2 ? 0 : 10 ** (random() * 12 - 3);
    const maxDelay = initialDelay * (random() < 0.2 ? 1 : 1 + random() * 1e6);
    const multiplier = random() < 0.2 ? 1 : 1 + random() * 100;
    const jitter = random() < 0.2 ? 1 : random();
    const backoff = new Backoff({
      initialDelay,
      maxDelay,
      multiplier,
      jitter,
      random,
    });
    const context = { attempt: anyNumber(random), elapsed: anyNumber(random) };
    const delay = backoff.nextDelay(context);
    assert.ok(
      Number.isFinite(delay) && delay >= 0 && delay <= maxDelay,
      `${delay} for ${
        JSON.stringify({ initialDelay, maxDelay, multiplier })
      } and ${context.attempt}`,
    );
  }
});
