import assert from "node:assert/strict";
import {
  DurationHistogram,
  LONGEST_DURATION,
} from "../../timing/duration_histogram.ts";
import { kaplanMeier } from "../../timing/kaplan_meier.ts";
import { lognormal } from "../../scripts/_workload.ts";
import { seededRandom } from "../../util/random.ts";

// Standard normal quantiles of 10, 25, 50, 75 and 90 %.
const NORMAL_QUANTILES = {
  0.1: -1.2816,
  0.25: -0.6745,
  0.5: 0,
  0.75: 0.6745,
  0.9: 1.2816,
};

Deno.test("DurationHistogram learns from interval-censored observations", async (t) => {
  const random = seededRandom(7);
  const draw = lognormal(10_000, 0.5);
  const durations = Array.from({ length: 400 }, () => draw(random));
  const exact = new DurationHistogram(1000);
  for (const duration of durations) {
    exact.observe({ after: duration, atMost: duration });
  }
  // What a client polling on the seed's grid (1, 2, 4, then every 5 s)
  // sees: only the last pending and the first final answer.
  const grid = [0, 1000, 3000, 7000];
  while (grid.length < 40) grid.push(grid.at(-1)! + 5000);
  const censored = new DurationHistogram(1000);
  for (const duration of durations) {
    const final = grid.findIndex((time) => time >= duration);
    censored.observe({ after: grid[final - 1], atMost: grid[final] });
  }
  await t.step("its quantiles match those learned from exact durations", () => {
    for (const [p, z] of Object.entries(NORMAL_QUANTILES)) {
      const truth = 10_000 * Math.exp(0.5 * z);
      for (const histogram of [exact, censored]) {
        const estimate = histogram.quantile(Number(p));
        assert.ok(
          Math.abs(estimate / truth - 1) < 0.1,
          `quantile ${p}: ${estimate} vs ${truth}`,
        );
      }
    }
  });
  await t.step("one observation spreads over its interval", () => {
    const histogram = new DurationHistogram(100);
    histogram.observe({ after: 7000, atMost: 12_000 });
    const low = histogram.quantile(0.1);
    const high = histogram.quantile(0.9);
    assert.ok(low > 6500 && low < 8000, `p10 ${low}`);
    assert.ok(high > 11_000 && high < 12_500, `p90 ${high}`);
  });
  await t.step("an exact observation stays where it was seen", () => {
    const histogram = new DurationHistogram(100);
    histogram.observe({ after: 10_000, atMost: 10_000 });
    assert.ok(Math.abs(histogram.quantile(0.5) - 10_000) < 200);
    assert.ok(histogram.cdf(6000) === 0 && histogram.cdf(16_000) === 1);
  });
});

Deno.test("DurationHistogram keeps a bounded, decaying memory", () => {
  const histogram = new DurationHistogram(100);
  const random = seededRandom(11);
  for (let i = 0; i < 20_000; i++) {
    // From 1 ms to about 11 days: every bin of the histogram gets used.
    const duration = Math.exp(random() * 20);
    histogram.tick();
    histogram.observe({ after: duration * 0.9, atMost: duration });
  }
  assert.equal(histogram.observations, 20_000);
  // Then every job takes 60 s: 1000 observations later the old ones, half of
  // which were under 30 s, weigh a thousandth.
  for (let i = 0; i < 1000; i++) {
    histogram.tick();
    histogram.observe({ after: 60_000, atMost: 60_000 });
  }
  assert.ok(Math.abs(histogram.quantile(0.5) - 60_000) < 1800);
  assert.ok(histogram.quantile(0.01) > 40_000);
});

Deno.test("DurationHistogram keeps durations beyond its range in its last bin", () => {
  const histogram = new DurationHistogram(100);
  histogram.observe({ after: 1e15, atMost: 1e16 });
  histogram.observe({ after: 0, atMost: 1e16 });
  for (const p of [0, 0.5, 1]) {
    const quantile = histogram.quantile(p);
    assert.ok(quantile >= 0 && quantile <= LONGEST_DURATION, `${quantile}`);
  }
  assert.equal(histogram.cdf(Infinity), 1);
  assert.ok(histogram.cdf(0) >= 0);
});

Deno.test("kaplanMeier() is the product-limit estimate on censored data", async (t) => {
  await t.step("a textbook case: events at 1, 3, 5, one censored at 2", () => {
    // Four jobs: S = 3/4 after the first event, 3/4 · 1/2 after the second
    // (the censored job has left the risk set), 0 after the last.
    const completed = Float64Array.from([0, 1, 0, 1, 0, 1]);
    const censored = Float64Array.from([0, 0, 1, 0, 0, 0]);
    assert.deepEqual(
      Array.from(kaplanMeier(completed, censored)),
      [0, 0.25, 0, 0.375, 0, 0.375],
    );
  });
  await t.step("without censoring it is the normalised histogram", () => {
    const random = seededRandom(3);
    const completed = Float64Array.from({ length: 40 }, () => random() * 5);
    const total = completed.reduce((sum, value) => sum + value, 0);
    const density = kaplanMeier(completed);
    density.forEach((value, i) =>
      assert.ok(Math.abs(value - completed[i] / total) < 1e-12)
    );
  });
  await t.step("censored last: the rest of the probability lies beyond", () => {
    const density = kaplanMeier(
      Float64Array.from([1, 0, 0]),
      Float64Array.from([0, 0, 3]),
    );
    assert.deepEqual(Array.from(density), [0.25, 0, 0]);
  });
  await t.step(
    "for any data, probabilities between 0 and 1 summing to at most 1",
    () => {
      const random = seededRandom(4);
      for (let run = 0; run < 200; run++) {
        const any = () =>
          Float64Array.from(
            { length: 16 },
            () => random() < 0.5 ? 0 : random() * 10,
          );
        const density = kaplanMeier(any(), any(), any());
        const sum = density.reduce((s, v) => s + v, 0);
        assert.ok(density.every((v) => v >= 0 && v <= 1) && sum <= 1 + 1e-12);
      }
    },
  );
});

Deno.test("DurationHistogram is not biased by which jobs end first when the running ones are censored", () => {
  // 2000 jobs started together, seen when the fastest 30 % have ended.
  const random = seededRandom(12);
  const draw = lognormal(6000, 0.6);
  const durations = Array.from({ length: 2000 }, () => draw(random));
  const now = 6000 * Math.exp(0.6 * -0.5244); // the true 30th percentile
  const censoring = new DurationHistogram(1e9);
  const completionsOnly = new DurationHistogram(1e9);
  for (const duration of durations) {
    if (duration <= now) {
      censoring.observe({ after: duration, atMost: duration });
      completionsOnly.observe({ after: duration, atMost: duration });
    } else {
      censoring.censor(now, 1, true);
    }
  }
  const truth = 6000 * Math.exp(0.6 * -1.2816); // the true 10th percentile
  const estimate = censoring.quantile(0.1);
  assert.ok(Math.abs(estimate / truth - 1) < 0.08, `${estimate} vs ${truth}`);
  // Completions alone teach that jobs are short: their 10th percentile is
  // far below the truth.
  assert.ok(completionsOnly.quantile(0.1) < 0.8 * truth);
  // Nothing is known beyond the oldest running wait.
  assert.ok(censoring.horizon < now * 1.6);
  assert.ok(censoring.cdf(now * 2) < 0.4);
  // Once the running waits end, their evidence goes with them.
  censoring.clearRunning();
  assert.ok(
    Math.abs(censoring.quantile(0.1) - completionsOnly.quantile(0.1)) < 1,
  );
});

Deno.test("DurationHistogram.cautiousCdf() is a cdf at or above the estimate, whatever the evidence", () => {
  const random = seededRandom(31);
  for (let run = 0; run < 30; run++) {
    const histogram = new DurationHistogram(1 + random() * 300);
    const draw = lognormal(10 ** (1 + random() * 5), 0.2 + random());
    const events = 1 + Math.floor(random() * 400);
    for (let i = 0; i < events; i++) {
      const duration = draw(random);
      const kind = random();
      if (kind < 0.5) {
        histogram.observe({ after: duration * random(), atMost: duration });
      } else if (kind < 0.8) {
        histogram.censor(duration, 1, true);
      } else {
        histogram.censor(duration, random());
      }
      if (random() < 0.3) histogram.tick();
    }
    let previous = 0;
    for (let time = 0.5; time < 1e9; time *= 1.1) {
      const cautious = histogram.cautiousCdf(time);
      assert.ok(
        cautious >= histogram.cdf(time) - 1e-12,
        `run ${run} at ${time}`,
      );
      assert.ok(
        cautious <= 1 && cautious >= previous - 1e-12,
        `run ${run} at ${time}`,
      );
      previous = cautious;
    }
  }
});

Deno.test("DurationHistogram spreads a watched interval in proportion to the square root of the time, one from before anyone looked by the shape", () => {
  const trained = (): DurationHistogram => {
    const histogram = new DurationHistogram(1000);
    const random = seededRandom(13);
    const draw = lognormal(10_000, 0.3);
    for (let i = 0; i < 200; i++) {
      const duration = draw(random);
      histogram.observe({ after: duration, atMost: duration });
    }
    return histogram;
  };
  // What 20 jobs found ended at a first poll at 6 s add below 3 s.
  const added = (watched: boolean): number => {
    const histogram = trained();
    const before = histogram.cdf(3000) * 200;
    for (let i = 0; i < 20; i++) {
      histogram.observe({ after: 0, atMost: 6000 }, 1, watched);
    }
    return histogram.cdf(3000) * 220 - before;
  };
  // A density in proportion to the square root of the time: (3 / 6)^1.5 of
  // them, 7.1. By a lognormal around 10 s: almost none.
  assert.ok(Math.abs(added(true) - 7.07) < 0.5, `watched ${added(true)}`);
  assert.ok(added(false) < 0.5, `by the shape ${added(false)}`);
});
