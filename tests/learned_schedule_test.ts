import assert from "node:assert/strict";
import { Backoff } from "../timing/backoff.ts";
import { LearnedSchedule } from "../timing/learned_schedule.ts";
import type { PollContext, PollSchedule } from "../timing/schedule.ts";
import { simulatePolling } from "../scripts/_simulate.ts";
import { summarize } from "../scripts/_stats.ts";
import {
  type Job,
  lognormal,
  seededRandom,
  workload,
} from "../scripts/_workload.ts";

// The default workload: lognormal durations, median 10 s, σ 0.5, one
// job a second on average.
function defaultWorkload(seed: number, count = 1000): Job[] {
  return workload({
    count,
    seed,
    meanInterarrival: 1000,
    duration: lognormal(10_000, 0.5),
  });
}

// The seed's schedule: 1 s, ×2, capped at 5 s, no jitter.
function seedBackoff(): Backoff {
  return new Backoff({ initialDelay: 1000, maxDelay: 5000, jitter: 0 });
}

// Poll times from the start of a wait that stays pending, as planned now.
function pollTimes(schedule: PollSchedule, count: number): number[] {
  const times: number[] = [];
  let elapsed = 0;
  for (let attempt = 1; attempt <= count; attempt++) {
    elapsed += schedule.nextDelay({ attempt, elapsed });
    times.push(elapsed);
  }
  return times;
}

function observeExact(schedule: LearnedSchedule, durations: number[]): void {
  for (const duration of durations) {
    schedule.observe({ after: duration, atMost: duration });
  }
}

Deno.test("LearnedSchedule() rejects bad options", async (t) => {
  const cases: [string, unknown, string][] = [
    ["minSamples", 0, "a finite number of at least 1: current value is 0"],
    ["minSamples", NaN, "a finite number of at least 1: current value is NaN"],
    ["halfLife", 0.5, "a finite number of at least 1: current value is 0.5"],
    [
      "halfLife",
      Infinity,
      "a finite number of at least 1: current value is Infinity",
    ],
    ["latencyRatio", 0, "a positive finite number: current value is 0"],
    ["latencyRatio", -0.2, "a positive finite number: current value is -0.2"],
    ["latencyRatio", "0.2", "a positive finite number: current value is 0.2"],
  ];
  for (const [name, value, expected] of cases) {
    await t.step(`${name}: ${String(value)}`, () => {
      assert.throws(
        () => new LearnedSchedule({ [name]: value }),
        (error: unknown) =>
          error instanceof RangeError &&
          error.message ===
            `Cannot create LearnedSchedule as '${name}' must be ${expected}`,
      );
    });
  }
  await t.step("fallback without nextDelay", () => {
    assert.throws(
      () => new LearnedSchedule({ fallback: {} as unknown as PollSchedule }),
      {
        name: "TypeError",
        message:
          "Cannot create LearnedSchedule as 'fallback' must be a poll schedule: current value is [object Object]",
      },
    );
  });
});

Deno.test("LearnedSchedule.observe() rejects impossible observations", () => {
  const schedule = new LearnedSchedule();
  assert.throws(() => schedule.observe({ after: -1, atMost: 10 }), {
    name: "RangeError",
    message:
      "Cannot observe as 'after' must be a non-negative finite number: current value is -1",
  });
  assert.throws(() => schedule.observe({ after: NaN, atMost: 10 }), {
    name: "RangeError",
  });
  assert.throws(() => schedule.observe({ after: 10, atMost: 5 }), {
    name: "RangeError",
    message:
      "Cannot observe as 'atMost' must be a finite number of at least 'after' (10): current value is 5",
  });
  assert.throws(() => schedule.observe({ after: 0, atMost: Infinity }), {
    name: "RangeError",
  });
  assert.equal(schedule.samples, 0);
});

Deno.test("LearnedSchedule.quantile() rejects a probability outside [0, 1]", () => {
  const schedule = new LearnedSchedule();
  assert.equal(schedule.quantile(0.5), undefined);
  assert.throws(() => schedule.quantile(1.5), {
    name: "RangeError",
    message:
      "Cannot compute quantile as 'p' must be between 0 and 1: current value is 1.5",
  });
  assert.throws(() => schedule.quantile(NaN), { name: "RangeError" });
});

Deno.test("LearnedSchedule defers to its fallback until it has minSamples", () => {
  const calls: PollContext[] = [];
  const fallback: PollSchedule = {
    nextDelay: (context) => {
      calls.push(context);
      return 1234;
    },
  };
  const schedule = new LearnedSchedule({ fallback, minSamples: 3 });
  observeExact(schedule, [10_000, 10_000]);
  assert.equal(schedule.nextDelay({ attempt: 2, elapsed: 1000 }), 1234);
  assert.deepEqual(calls, [{ attempt: 2, elapsed: 1000 }]);
  observeExact(schedule, [10_000, 10_000]); // recency-weighted: 3.97 ≥ 3
  assert.notEqual(schedule.nextDelay({ attempt: 1, elapsed: 0 }), 1234);
  assert.equal(calls.length, 1);
});

Deno.test("LearnedSchedule polls where completion is likely", () => {
  const schedule = new LearnedSchedule({ fallback: seedBackoff() });
  const random = seededRandom(1);
  observeExact(
    schedule,
    Array.from({ length: 200 }, () => 20_000 + 10_000 * random()),
  );
  const median = schedule.quantile(0.5)!;
  assert.ok(Math.abs(median - 25_000) < 1000, `median ${median}`);
  const times = pollTimes(schedule, 12);
  // Nothing can finish before 20 s, so the first poll comes after it…
  assert.ok(times[0] > 20_000 && times[0] < 27_000, `first poll ${times[0]}`);
  // …and from then on polls are the target latency apart while jobs end.
  for (let i = 1; i < times.length && times[i - 1] < 30_000; i++) {
    const gap = times[i] - times[i - 1];
    assert.ok(
      Math.abs(gap - schedule.latencyRatio * median) < 100,
      `gap ${gap}`,
    );
  }
});

Deno.test("LearnedSchedule follows its fallback once a job outlives the plan", () => {
  const schedule = new LearnedSchedule({ fallback: seedBackoff() });
  observeExact(schedule, Array.from({ length: 50 }, () => 1000));
  // A job still pending long after every job seen so far finished.
  assert.equal(schedule.nextDelay({ attempt: 7, elapsed: 60_000 }), 5000);
});

Deno.test("LearnedSchedule is deterministic", () => {
  const a = new LearnedSchedule({ fallback: seedBackoff() });
  const b = new LearnedSchedule({ fallback: seedBackoff() });
  const jobs = defaultWorkload(3, 300);
  const first = simulatePolling(a, jobs);
  const second = simulatePolling(b, jobs);
  assert.deepEqual(first, second);
  assert.deepEqual(pollTimes(a, 20), pollTimes(b, 20));
});

Deno.test("LearnedSchedule learns from interval-censored observations", async (t) => {
  const random = seededRandom(7);
  const draw = lognormal(10_000, 0.5);
  const durations = Array.from({ length: 400 }, () => draw(random));
  const exact = new LearnedSchedule({ halfLife: 1000 });
  observeExact(exact, durations);
  // What a client polling on the seed's grid sees: only the last pending and
  // the first final answer.
  const grid = pollTimes(seedBackoff(), 40);
  const censored = new LearnedSchedule({ halfLife: 1000 });
  for (const duration of durations) {
    const atMost = grid.find((time) => time >= duration)!;
    censored.observe({ after: grid[grid.indexOf(atMost) - 1], atMost });
  }
  await t.step("its quantiles match those learned from exact durations", () => {
    // Standard normal quantiles of 10, 25, 50, 75 and 90 %.
    const z = {
      0.1: -1.2816,
      0.25: -0.6745,
      0.5: 0,
      0.75: 0.6745,
      0.9: 1.2816,
    };
    for (const [p, quantile] of Object.entries(z)) {
      const truth = 10_000 * Math.exp(0.5 * quantile);
      for (const schedule of [exact, censored]) {
        const estimate = schedule.quantile(Number(p))!;
        assert.ok(
          Math.abs(estimate / truth - 1) < 0.1,
          `quantile ${p}: ${estimate} vs ${truth}`,
        );
      }
    }
  });
  await t.step("one observation spreads over its interval", () => {
    const schedule = new LearnedSchedule();
    schedule.observe({ after: 7000, atMost: 12_000 });
    const low = schedule.quantile(0.1)!;
    const high = schedule.quantile(0.9)!;
    assert.ok(low > 6500 && low < 8000, `p10 ${low}`);
    assert.ok(high > 11_000 && high < 12_500, `p90 ${high}`);
  });
  await t.step("an exact observation stays where it was seen", () => {
    const schedule = new LearnedSchedule();
    schedule.observe({ after: 10_000, atMost: 10_000 });
    assert.ok(Math.abs(schedule.quantile(0.5)! - 10_000) < 200);
  });
});

Deno.test("LearnedSchedule keeps a bounded, decaying memory", () => {
  const schedule = new LearnedSchedule({
    halfLife: 100,
    fallback: seedBackoff(),
  });
  const random = seededRandom(11);
  for (let i = 0; i < 20_000; i++) {
    // From 1 ms to about 11 days: every bin of the histogram gets used.
    const duration = Math.exp(random() * 20);
    schedule.observe({ after: duration * 0.9, atMost: duration });
  }
  // The effective sample size saturates at 1 / (1 - 2^(-1/halfLife)).
  assert.ok(schedule.samples < 145 && schedule.samples > 144);
  // A plan is bounded too: at most 1024 polls, then the fallback's cadence.
  const times = pollTimes(schedule, 2000);
  const gaps = times.map((time, i) => time - (times[i - 1] ?? 0));
  assert.ok(gaps.filter((gap) => gap !== 5000).length <= 1024);
  assert.equal(gaps.at(-1), 5000);
  // Then every job takes 60 s: 1000 observations later the old ones, half of
  // which were under 30 s, weigh a thousandth.
  for (let i = 0; i < 1000; i++) {
    schedule.observe({ after: 60_000, atMost: 60_000 });
  }
  assert.ok(Math.abs(schedule.quantile(0.5)! - 60_000) < 1800);
  assert.ok(schedule.quantile(0.01)! > 40_000);
});

Deno.test("LearnedSchedule follows durations that drift", async (t) => {
  for (const [before, after] of [[10_000, 30_000], [30_000, 10_000]]) {
    await t.step(`median ${before / 1000} s → ${after / 1000} s`, () => {
      const schedule = new LearnedSchedule({ fallback: seedBackoff() });
      const first = workload({
        count: 500,
        seed: 1,
        meanInterarrival: 1000,
        duration: lognormal(before, 0.5),
      });
      simulatePolling(schedule, first);
      assert.ok(Math.abs(schedule.quantile(0.5)! / before - 1) < 0.1);
      const firstPoll = schedule.nextDelay({ attempt: 1, elapsed: 0 });
      const second = workload({
        count: 500,
        seed: 2,
        meanInterarrival: 1000,
        duration: lognormal(after, 0.5),
      });
      const result = simulatePolling(schedule, second);
      assert.ok(Math.abs(schedule.quantile(0.5)! / after - 1) < 0.1);
      const movedPoll = schedule.nextDelay({ attempt: 1, elapsed: 0 });
      assert.ok(
        Math.abs(movedPoll / firstPoll - after / before) < 0.2 * after / before,
        `first poll ${firstPoll} → ${movedPoll}`,
      );
      // Once adapted, its detection latency is on target again: the p95 is
      // within the target share of the new median.
      const settled = summarize(
        result.requests.slice(250),
        result.latencies.slice(250),
      );
      assert.ok(
        settled.latencyP95Ms < schedule.latencyRatio * after * 1.15,
        `p95 ${settled.latencyP95Ms}`,
      );
    });
  }
});

Deno.test("LearnedSchedule beats the seed's backoff on the default workload", () => {
  // 1000 jobs arriving over time; the learned schedule starts cold with a
  // (seeded, jittered) default backoff, and its warm-up counts.
  for (const seed of [1, 2, 3]) {
    const jobs = defaultWorkload(seed);
    const seedRun = simulatePolling(seedBackoff(), jobs);
    const learned = new LearnedSchedule({
      fallback: new Backoff({ random: seededRandom(seed) }),
    });
    const learnedRun = simulatePolling(learned, jobs);
    const baseline = summarize(seedRun.requests, seedRun.latencies);
    const result = summarize(learnedRun.requests, learnedRun.latencies);
    console.log(
      `seed ${seed}: requests/job ${baseline.requestsPerJob.toFixed(2)} → ${
        result.requestsPerJob.toFixed(2)
      }, p95 latency ${baseline.latencyP95Ms.toFixed(0)} ms → ${
        result.latencyP95Ms.toFixed(0)
      } ms`,
    );
    assert.ok(result.requestsPerJob <= baseline.requestsPerJob);
    assert.ok(result.latencyP95Ms <= baseline.latencyP95Ms / 2);
  }
});
