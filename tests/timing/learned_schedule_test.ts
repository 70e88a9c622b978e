import assert from "node:assert/strict";
import { Backoff } from "../../timing/backoff.ts";
import { LearnedSchedule } from "../../timing/learned_schedule.ts";
import type { PollContext, PollSchedule } from "../../timing/schedule.ts";
import { simulatePolling } from "../../scripts/_simulate.ts";
import { summarize } from "../../scripts/_stats.ts";
import { type Job, lognormal, workload } from "../../scripts/_workload.ts";
import { seededRandom } from "../../util/random.ts";

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
    ["minSamples", 0, "an integer of at least 1: current value is 0"],
    ["minSamples", 2.5, "an integer of at least 1: current value is 2.5"],
    ["minSamples", NaN, "an integer of at least 1: current value is NaN"],
    [
      "minSamples",
      Infinity,
      "an integer of at least 1: current value is Infinity",
    ],
    ["halfLife", 0.5, "a finite number of at least 1: current value is 0.5"],
    [
      "halfLife",
      Infinity,
      "a finite number of at least 1: current value is Infinity",
    ],
    ["latencyRatio", 0, "a positive finite number: current value is 0"],
    ["latencyRatio", -0.2, "a positive finite number: current value is -0.2"],
    [
      "latencyRatio",
      "0.2",
      'a positive finite number: current value is "0.2"',
    ],
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
  assert.throws(
    () => schedule.observe({ after: 0, atMost: 10, watchedFrom: -1 }),
    {
      name: "RangeError",
      message:
        "Cannot observe as 'watchedFrom' must be a non-negative finite number: current value is -1",
    },
  );
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
  assert.equal(schedule.samples, 2);
  assert.equal(schedule.nextDelay({ attempt: 2, elapsed: 1000 }), 1234);
  assert.deepEqual(calls, [{ attempt: 2, elapsed: 1000 }]);
  observeExact(schedule, [10_000]);
  assert.notEqual(schedule.nextDelay({ attempt: 1, elapsed: 0 }), 1234);
  assert.equal(calls.length, 1);
});

Deno.test("LearnedSchedule reaches any minSamples, however short its halfLife", async (t) => {
  // The recency-weighted count never exceeds 1 / (1 - 2^(-1 / halfLife)),
  // 144.8 for a halfLife of 100: minSamples counts observations instead.
  for (const [minSamples, halfLife] of [[200, 100], [1000, 1], [5, 1]]) {
    await t.step(`minSamples ${minSamples}, halfLife ${halfLife}`, () => {
      const schedule = new LearnedSchedule({
        fallback: { nextDelay: () => 1234 },
        minSamples,
        halfLife,
      });
      observeExact(
        schedule,
        Array.from({ length: minSamples - 1 }, () => 10_000),
      );
      assert.equal(schedule.nextDelay({ attempt: 1, elapsed: 0 }), 1234);
      observeExact(schedule, [10_000]);
      assert.equal(schedule.samples, minSamples);
      const first = schedule.nextDelay({ attempt: 1, elapsed: 0 });
      // Jobs end at 10 s and the default target latency is 5 s: the plan
      // waits a target at least. With a halfLife of 1 what it learned counts
      // as about two jobs, one more of which may end in any gap, so it
      // skips no more than that; with 100, it waits for the jobs to end.
      const least = halfLife === 1 ? 5000 : 7000;
      assert.ok(first >= least && first < 15_000, `first poll ${first}`);
    });
  }
});

Deno.test("LearnedSchedule polls where completion is likely", () => {
  const schedule = new LearnedSchedule({
    fallback: seedBackoff(),
    latencyRatio: 0.215,
  });
  const random = seededRandom(1);
  observeExact(
    schedule,
    Array.from({ length: 200 }, () => 20_000 + 10_000 * random()),
  );
  const median = schedule.quantile(0.5)!;
  assert.ok(Math.abs(median - 25_000) < 1000, `median ${median}`);
  const times = pollTimes(schedule, 12);
  const target = schedule.latencyRatio! * median;
  // Nothing can finish before 20 s, so the first poll comes after it…
  assert.ok(times[0] > 20_000 && times[0] < 27_000, `first poll ${times[0]}`);
  // …then polls are at most the target latency apart while jobs end…
  let late = 0;
  for (let i = 1; i < times.length && times[i - 1] < 30_000; i++) {
    const gap = times[i] - times[i - 1];
    assert.ok(gap <= target * 1.01, `gap ${gap}`);
    late += Math.max(0, Math.min(30_000, times[i] - target) - times[i - 1]);
  }
  // …so that only jobs that end before the first poll less the target are
  // late: at most the 5 % a 95th percentile allows.
  late += Math.max(0, times[0] - target - 20_000);
  assert.ok(late / 10_000 <= 0.06, `late ${late / 10_000}`);
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

Deno.test("LearnedSchedule plans at most 4096 polls, then follows its fallback or a sparse tail", () => {
  const schedule = new LearnedSchedule({ fallback: seedBackoff() });
  const random = seededRandom(11);
  for (let i = 0; i < 2000; i++) {
    // From 1 ms to about 11 days: the widest plan there is.
    const duration = Math.exp(random() * 20);
    schedule.observe({ after: duration * 0.9, atMost: duration });
  }
  const times = pollTimes(schedule, 6000);
  const gaps = times.map((time, i) => time - (times[i - 1] ?? 0));
  // Past the plan: the fallback's 5 s, or the sparse tail's gaps of half a
  // job's age, at most 8 targets (40 s) by then.
  const beyond = (gap: number): boolean => gap === 5000 || gap === 40_000;
  assert.ok(gaps.filter((gap) => !beyond(gap)).length <= 4096);
  assert.ok(beyond(gaps.at(-1)!), `last gap ${gaps.at(-1)}`);
});

Deno.test("LearnedSchedule takes an already-final first answer as (0, atMost], not as a duration", async (t) => {
  const draw = lognormal(10_000, 0.5);
  // Standard normal quantiles of 10, 50 and 90 %.
  const truth = [-1.2816, 0, 1.2816].map((z) => 10_000 * Math.exp(0.5 * z));
  const quantiles = (schedule: LearnedSchedule): number[] =>
    [0.1, 0.5, 0.9].map((p) => schedule.quantile(p)!);
  await t.step("many of them leave a learned model where it was", () => {
    const random = seededRandom(5);
    const schedule = new LearnedSchedule();
    observeExact(schedule, Array.from({ length: 300 }, () => draw(random)));
    const before = quantiles(schedule);
    // Waits that began long after their jobs: final at once, at 2 min.
    for (let i = 0; i < 1000; i++) {
      schedule.observe({ after: 0, atMost: 120_000 });
    }
    quantiles(schedule).forEach((estimate, i) =>
      assert.ok(
        Math.abs(estimate / before[i] - 1) < 0.1,
        `quantile ${i}: ${before[i]} → ${estimate}`,
      )
    );
  });
  await t.step("alone, they teach durations spread below atMost", () => {
    // All that is known is that every job took at most 60 s: the estimate
    // must neither pile up at 60 s nor collapse onto short jobs.
    const schedule = new LearnedSchedule();
    for (let i = 0; i < 1000; i++) {
      schedule.observe({ after: 0, atMost: 60_000 });
    }
    const [p10, p50, p90] = quantiles(schedule);
    assert.ok(p10 > 3000, `p10 ${p10}`);
    assert.ok(p50 > 6000 && p50 <= 30_000, `p50 ${p50}`);
    assert.ok(p90 < 54_000, `p90 ${p90}`);
  });
  await t.step("mixed with polled waits, the truth is learned", () => {
    // Each wait begins up to 20 s after its job (independently of how long
    // the job takes); if the job is already over, the first answer is final.
    const random = seededRandom(3);
    const schedule = new LearnedSchedule({ halfLife: 1000 });
    let finalAtOnce = 0;
    for (let i = 0; i < 2000; i++) {
      const duration = draw(random);
      const start = 20_000 * random();
      if (duration <= start) {
        schedule.observe({ after: 0, atMost: start });
        finalAtOnce++;
        continue;
      }
      const polls = Math.ceil((duration - start) / 2000);
      schedule.observe({
        after: start + 2000 * (polls - 1),
        atMost: start + 2000 * polls,
      });
    }
    assert.ok(finalAtOnce > 600, `${finalAtOnce} final at once`);
    quantiles(schedule).forEach((estimate, i) =>
      assert.ok(
        Math.abs(estimate / truth[i] - 1) < 0.1,
        `quantile ${i}: ${estimate} vs ${truth[i]}`,
      )
    );
  });
});

Deno.test("LearnedSchedule follows durations that drift", async (t) => {
  for (const [before, after] of [[10_000, 30_000], [30_000, 10_000]]) {
    await t.step(`median ${before / 1000} s → ${after / 1000} s`, () => {
      const schedule = new LearnedSchedule({
        fallback: seedBackoff(),
        latencyRatio: 0.215,
      });
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
      // Once adapted, its detection latency is near target again: the p95
      // is near the target share of the new median. (Loose: the second half
      // of the run still includes jobs planned while the median, and so the
      // target, was still falling; 1.46× when durations fall to a third.)
      const settled = summarize(
        result.requests.slice(250),
        result.latencies.slice(250),
      );
      assert.ok(
        settled.latencyP95Ms < schedule.latencyRatio! * after * 1.5,
        `p95 ${settled.latencyP95Ms}`,
      );
    });
  }
});

Deno.test("LearnedSchedule meets the seed backoff's p95 with fewer requests on the default workload", () => {
  // 1000 jobs arriving over time; the learned schedule starts cold with its
  // default fallback, and its warm-up counts.
  for (const seed of [1, 2, 3]) {
    const jobs = defaultWorkload(seed);
    const seedRun = simulatePolling(seedBackoff(), jobs);
    const baseline = summarize(seedRun.requests, seedRun.latencies);
    const learned = new LearnedSchedule({
      targetLatency: baseline.latencyP95Ms,
    });
    const learnedRun = simulatePolling(learned, jobs);
    const result = summarize(learnedRun.requests, learnedRun.latencies);
    assert.ok(
      Math.abs(result.latencyP95Ms / baseline.latencyP95Ms - 1) <= 0.15,
      `p95 ${result.latencyP95Ms} vs ${baseline.latencyP95Ms}`,
    );
    assert.ok(result.requestsPerJob <= 0.85 * baseline.requestsPerJob);
  }
});

Deno.test("LearnedSchedule with maxRequestsPerJob spends about that many requests, its first deferred", () => {
  const jobs = defaultWorkload(4);
  for (const budget of [3, 6]) {
    const schedule = new LearnedSchedule({ maxRequestsPerJob: budget });
    // Learn first, then measure the planned behaviour.
    simulatePolling(schedule, jobs.slice(0, 500));
    const run = simulatePolling(schedule, jobs.slice(500));
    const { requestsPerJob } = summarize(run.requests, run.latencies);
    assert.ok(
      requestsPerJob <= budget * 1.1 && requestsPerJob >= budget * 0.85,
      `${requestsPerJob} for a budget of ${budget}`,
    );
  }
});

Deno.test("LearnedSchedule.nextDelay() is finite and at least 0 for any options, observations and context", () => {
  const random = seededRandom(2027);
  // A time drawn from 1 µs to beyond the histogram's 25 days, or an edge.
  const anyTime = (): number => random() < 0.1 ? 0 : 10 ** (random() * 16 - 3);
  const anyElapsed = (): number => {
    const edges = [0, -1, -1e300, 1e300, Infinity, -Infinity];
    if (random() < 0.3) return edges[Math.floor(random() * edges.length)];
    return (random() < 0.2 ? -1 : 1) * anyTime();
  };
  for (let run = 0; run < 40; run++) {
    const schedule = new LearnedSchedule({
      fallback: new Backoff({ random }),
      minSamples: 1 + Math.floor(random() * 5),
      halfLife: 1 + random() * 200,
      ...[
        {
          latencyRatio: random() < 0.1
            ? Number.MAX_VALUE
            : 10 ** (random() * 40 - 20),
        },
        {
          targetLatency: random() < 0.1
            ? Number.MAX_VALUE
            : 10 ** (random() * 12 - 3),
        },
        { maxRequestsPerJob: 2 + random() * 100 },
      ][Math.floor(random() * 3)],
    });
    const waits = ["a", "b", "c"];
    const observations = Math.floor(random() * 12);
    for (let i = 0; i < observations; i++) {
      const kind = random();
      const atMost = anyTime();
      const after = kind < 0.3 ? atMost : kind < 0.6 ? 0 : atMost * random();
      const wait = waits[Math.floor(random() * 3)];
      if (random() < 0.2) schedule.abandon({ after: atMost, wait });
      else schedule.observe({ after, atMost, wait });
      for (let j = 0; j < 3; j++) {
        const context = { attempt: 1 + j, elapsed: anyElapsed(), wait };
        const delay = schedule.nextDelay(context);
        assert.ok(
          Number.isFinite(delay) && delay >= 0,
          `${delay} at ${context.elapsed} (run ${run})`,
        );
      }
    }
    assert.ok(schedule.nextDelay({ attempt: 1, elapsed: NaN }) >= 0);
    // Whatever was learned, it survives a round trip through JSON text,
    // and two restores of it plan the same polls. (The original may plan
    // otherwise: its waits still running are evidence too, and not saved.)
    const options = {
      fallback: new Backoff({ jitter: 0 }),
      minSamples: schedule.minSamples,
      halfLife: schedule.halfLife,
      targetLatency: schedule.targetLatency,
      latencyRatio: schedule.latencyRatio,
      maxRequestsPerJob: schedule.maxRequestsPerJob,
    };
    const copy = LearnedSchedule.fromJSON(JSON.stringify(schedule), options);
    const again = LearnedSchedule.fromJSON(copy.toJSON(), options);
    assert.deepEqual(copy.toJSON(), schedule.toJSON());
    for (const elapsed of [0, anyTime(), anyTime()]) {
      const context = { attempt: 1, elapsed };
      assert.equal(copy.nextDelay(context), again.nextDelay(context));
    }
  }
});

Deno.test("LearnedSchedule spreads a completion in proportion to the time over what its wait watched, by the shape over what it did not", () => {
  // Each of 100 waits finds its job ended at 6 s. `asked`: the job's age
  // when the wait first asked this schedule (never: no name); `from`: the
  // observation's `watchedFrom` (a wait that asked another process's).
  const spreadBelow = (asked?: number, from?: number): number => {
    const schedule = new LearnedSchedule({ halfLife: 1000 });
    for (let i = 0; i < 100; i++) {
      schedule.observe({ after: 9000 + 20 * i, atMost: 9000 + 20 * i });
    }
    for (let i = 0; i < 100; i++) {
      const wait = asked === undefined ? undefined : `job ${i}`;
      if (wait !== undefined) schedule.firstDelay({ elapsed: asked!, wait });
      schedule.observe({ after: 0, atMost: 6000, wait, watchedFrom: from });
    }
    return schedule.quantile(0.1)!;
  };
  // In proportion to the time over (0, 6 s], the tenth of all jobs (a fifth
  // of those) lies below about 6 s × √0.2 = 2.7 s; by the shape, the
  // completions pile up toward 6 s. A wait that began 50 ms after its job
  // (its create request's time) watched; one that began at 5.9 s, or that
  // nothing says when it began, did not; `watchedFrom` says it for a wait
  // this schedule never saw, and wins over when it first asked.
  const watched = [[0], [50], [undefined, 0], [5900, 0]];
  for (const [asked, from] of watched) {
    const p10 = spreadBelow(asked, from);
    assert.ok(p10 < 3000, `asked ${asked}, from ${from}: p10 ${p10}`);
  }
  for (const [asked, from] of [[5900], [], [undefined, 5900], [0, 5900]]) {
    const p10 = spreadBelow(asked, from);
    assert.ok(p10 > 4000, `asked ${asked}, from ${from}: p10 ${p10}`);
  }
});
