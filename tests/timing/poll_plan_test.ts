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

Deno.test("delayFrom() past a plan's end: a sparse tail's growing gaps, or nothing", () => {
  const plan = { polls: [0, 10_000, 12_000], target: 2000, requests: 2 };
  assert.equal(delayFrom({ ...plan, sparseTail: false }, 20_000), undefined);
  const sparse = { ...plan, sparseTail: true };
  // Half the job's age, from one target to eight.
  assert.equal(delayFrom(sparse, 12_500), 6250);
  assert.equal(delayFrom(sparse, 13_000), 6500);
  assert.equal(delayFrom(sparse, 1e9), 16_000);
  assert.equal(delayFrom({ ...sparse, polls: [0, 1000] }, 1500), 2000);
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
