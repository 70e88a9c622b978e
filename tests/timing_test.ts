import assert from "node:assert/strict";
import { Backoff } from "../timing/backoff.ts";
import { parseRetryAfter } from "../protocol/retry_after.ts";
import { delay } from "../timing/clock.ts";

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
});

Deno.test("Backoff jitter only shortens, by at most the jitter fraction", () => {
  for (const random of [0, 0.25, 0.999999]) {
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

Deno.test("parseRetryAfter() reads delta-seconds and HTTP-dates", () => {
  const now = Date.UTC(2026, 10, 24, 8, 0, 0);
  assert.equal(parseRetryAfter("0", now), 0);
  assert.equal(parseRetryAfter(" 120 ", now), 120_000);
  assert.equal(parseRetryAfter("Tue, 24 Nov 2026 08:00:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter("Tue, 24 Nov 2026 07:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter(null, now), undefined);
  for (const bad of ["", "-1", "1.5", "soon", "2026-11-24", "1e3", "Tue"]) {
    assert.equal(parseRetryAfter(bad, now), undefined, bad);
  }
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
