import assert from "node:assert/strict";
import { delayFrom, planForLatency } from "../../timing/poll_plan.ts";
import { Backoff } from "../../timing/backoff.ts";
import { LearnedSchedule } from "../../timing/learned_schedule.ts";
import { empirical } from "../../scripts/_dp_bound.ts";
import { lognormal, mixture, pareto } from "../../scripts/_workload.ts";
import { seededRandom } from "../../util/random.ts";

Deno.test("planForLatency() keeps the late detections within the 95th percentile's 5 % for any distribution, its sparse tail included", () => {
  const random = seededRandom(41);
  for (let run = 0; run < 30; run++) {
    const median = 10 ** (2 + random() * 4);
    const models = [
      lognormal(median, 0.1 + random()),
      mixture(lognormal(median, 0.3), lognormal(median * 12, 0.3), random()),
      pareto(median, 1.1 + 2 * random()),
    ];
    const draw = models[run % models.length];
    const sample = Float64Array.from({ length: 4000 }, () => draw(random))
      .sort();
    const estimate = empirical(sample);
    const target = median * 10 ** (random() * 2 - 1.5);
    const plan = planForLatency(estimate, target);
    const { polls } = plan;
    assert.equal(polls[0], 0);
    // Late: the jobs that end in a gap more than a target before its poll,
    // and, with a sparse tail, every job that outlives the plan.
    let late = 0;
    for (let i = 1; i < polls.length; i++) {
      assert.ok(polls[i] > polls[i - 1], `polls ${polls[i - 1]}, ${polls[i]}`);
      const cut = polls[i] - target;
      if (cut > polls[i - 1]) {
        late += estimate.cdf(cut) - estimate.cdf(polls[i - 1]);
      }
    }
    if (plan.sparseTail) late += estimate.surviving(polls.at(-1)!);
    assert.ok(late <= 0.05 + 1e-9, `late ${late} (run ${run})`);
  }
});

Deno.test("delayFrom() past a plan's end: a sparse tail's growing gaps, else one target; nothing past a plan of less than a target", () => {
  const plan = { polls: [0, 10_000, 12_000], target: 2000, requests: 2 };
  const dense = { ...plan, sparseTail: false };
  assert.equal(delayFrom(dense, 12_500), 2000);
  assert.equal(delayFrom(dense, 1e9), 2000);
  assert.equal(delayFrom(dense, 20_000, false), undefined);
  const empty = { polls: [0, 625], target: 5000, requests: 2 };
  assert.equal(delayFrom({ ...empty, sparseTail: false }, 1000), undefined);
  assert.equal(delayFrom({ ...empty, sparseTail: true }, 1000), undefined);
  const sparse = { ...plan, sparseTail: true };
  // Half the job's age, from one target to eight.
  assert.equal(delayFrom(sparse, 12_500), 6250);
  assert.equal(delayFrom(sparse, 13_000), 6500);
  assert.equal(delayFrom(sparse, 1e9), 16_000);
  assert.equal(delayFrom({ ...sparse, polls: [0, 3000] }, 3500), 2000);
  assert.equal(delayFrom(sparse, 20_000, false), undefined);
});

Deno.test("LearnedSchedule plans from the waits still running before any job ends (a cold start)", async (t) => {
  const fallback = (): Backoff =>
    new Backoff({ initialDelay: 1000, maxDelay: 5000, jitter: 0 });
  await t.step(
    "waits seen running up to an age let a new wait skip the start, no further",
    () => {
      // One wait started a second for 100 s; none has ended, the oldest is 100 s old.
      const schedule = new LearnedSchedule({
        targetLatency: 5000,
        fallback: fallback(),
      });
      for (let i = 0; i < 100; i++) {
        for (let age = 0; age <= 100_000 - 1000 * i; age += 5000) {
          schedule.nextDelay({
            attempt: 1 + age / 5000,
            elapsed: age,
            wait: `w${i}`,
          });
        }
      }
      assert.equal(schedule.samples, 0);
      const first = schedule.nextDelay({ attempt: 1, elapsed: 0, wait: "new" });
      // Later than the fallback's first delay, and never past what the waits
      // running have shown: no job has been seen older than 100 s.
      assert.ok(first > 1000 && first <= 100_000, `first delay ${first}`);
    },
  );
  await t.step("with no wait seen past its start, the fallback", () => {
    const schedule = new LearnedSchedule({
      targetLatency: 5000,
      fallback: fallback(),
    });
    for (let i = 0; i < 50; i++) {
      schedule.nextDelay({ attempt: 1, elapsed: 0, wait: `w${i}` });
    }
    assert.equal(
      schedule.nextDelay({ attempt: 1, elapsed: 0, wait: "new" }),
      1000,
    );
  });
});

Deno.test("delayFrom() off the grid keeps a cadence: never a poll a second after the last, never a job later than the plan or the cadence", () => {
  const random = seededRandom(7);
  for (let run = 0; run < 200; run++) {
    const target = 1000 + 4000 * random();
    // A plan's gaps are a target at least; dense ones at most 1.5 targets.
    const polls = [0];
    while (polls.length < 30) {
      const gap = target *
        (random() < 0.5 ? 1 + 0.5 * random() : 1 + 7 * random());
      polls.push(polls.at(-1)! + gap);
    }
    const plan = { polls, target, requests: 10, sparseTail: false };
    const elapsed = polls.at(-3)! * random();
    const delay = delayFrom(plan, elapsed)!;
    assert.ok(delay > 0, `delay ${delay}`);
    const next = polls.findIndex((poll) => poll > elapsed + target / 8);
    const poll = elapsed + delay;
    // The cadence: the plan's gap where it is dense, else one target.
    const gap = polls[next] - polls[next - 1];
    const dense = gap <= 1.5 * target &&
      polls[next + 1] - polls[next] <= 1.5 * target;
    const cadence = dense ? gap : target;
    if (polls[next] - elapsed >= cadence) {
      assert.equal(poll, polls[next]);
    } else {
      // Not before a cadence (unless that passes the poll after next, where
      // the wait is back on the grid), so no request is spent on a
      // rebuilt plan's point just ahead…
      assert.ok(
        poll >= elapsed + cadence - 1e-6 ||
          Math.abs(poll - polls[next + 1]) < 1e-6,
        `run ${run}: ${elapsed} → ${poll}, cadence ${cadence}`,
      );
      // …and a job that ends before the poll is seen within the cadence;
      // one after it, by the poll after next as the plan would.
      assert.ok(poll >= polls[next] && poll <= polls[next + 1] + 1e-6);
      assert.ok(delay <= cadence + 1e-6);
    }
  }
});

Deno.test("planForLatency() counts one more job late in every long gap: a hole in a thin estimate is not polled as if empty", () => {
  // Two modes, nothing between 20 s and 200 s.
  const random = seededRandom(3);
  const draw = mixture(lognormal(10_000, 0.2), lognormal(300_000, 0.2), 0.5);
  const sample = Float64Array.from({ length: 4000 }, () => draw(random)).sort();
  const exact = empirical(sample);
  const longGaps = (plan: { polls: number[] }): number =>
    plan.polls.filter((poll, i) => i > 1 && poll - plan.polls[i - 1] > 1001)
      .length;
  // Known exactly, the hole is crossed in a few long gaps…
  const sure = planForLatency(exact, 1000);
  assert.ok(longGaps(sure) >= 3, `long gaps ${longGaps(sure)}`);
  // …but if one more job may end in any of them at 2 % of all jobs, the
  // 4.5 % late budget pays for at most two, the first gap aside.
  const thin = planForLatency({ ...exact, oneMore: () => 0.02 }, 1000);
  assert.ok(longGaps(thin) <= 2, `long gaps ${longGaps(thin)}`);
});
