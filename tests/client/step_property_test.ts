// The property of `step()`: a wait in steps, with a JSON round trip of its
// state between them and a new client (as in another process) for each,
// sends the requests an uninterrupted `waitForJob()` sends, at the same
// times, reports the same updates and retries, and ends the same way. So
// does a wait resumed by `waitForJob(state)` after any number of steps.
// Whatever the dialect (each preset's answers, as its vendor writes them)
// and the schedule: a trained `LearnedSchedule`, which knows a wait by its
// `wait` name from one step to the next, plans as it would for one wait.

import assert from "node:assert/strict";
import {
  Backoff,
  type DialectName,
  type FinalUpdate,
  type FirstDelayContext,
  type Job,
  LearnedSchedule,
  type PollContext,
  PRESETS,
  type StatusUpdate,
  VideoStatusClient,
  type VideoStatusClientOptions,
  type WaitState,
} from "../../mod.ts";
import type { JobSnapshotStatus } from "../../protocol/dialect.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import {
  json,
  scriptedFetch,
  type Step,
} from "../../testing/scripted_fetch.ts";
import { seededRandom } from "../../util/random.ts";

/** Everything a wait did that the caller or the server could see. */
interface Trace {
  /** Each request: ms since the start, URL and `Prefer` header. */
  requests: string[];
  updates: string[];
  retries: string[];
  /** The final update, or the error's name and message. */
  end: string;
  /** The distinct `wait` names the schedule was asked about. */
  waits: string[];
}

/** A learned schedule that notes the names its waits go by. */
class NamingSchedule extends LearnedSchedule {
  readonly waits = new Set<string>();

  override nextDelay(context: PollContext): number {
    if (context.wait !== undefined) this.waits.add(context.wait);
    return super.nextDelay(context);
  }

  override firstDelay(context: FirstDelayContext): number {
    this.waits.add(context.wait);
    return super.firstDelay(context);
  }
}

const DIALECTS = Object.keys(PRESETS) as DialectName[];

/** The dialect of a seed's runs: every preset in turn. */
const dialectOf = (seed: number): DialectName =>
  DIALECTS[seed % DIALECTS.length];

/**
 * A random job's answers, as the seed's dialect writes them: pending (some
 * with hints), failures, pacing, then (mostly) a final status.
 */
function script(random: () => number, seed: number): Step[] {
  const pick = <T>(values: T[]): T =>
    values[Math.floor(random() * values.length)];
  const dialect = PRESETS[dialectOf(seed)];
  const answer = (status: JobSnapshotStatus, progress: number) =>
    dialect.write({
      id: "j1",
      status,
      progress,
      createdAt: 1_700_000_000_000,
      ...status !== "pending" && { finishedAt: 1_700_000_060_000 },
      ...status === "completed" && { videoUrl: "https://cdn.test/v.mp4" },
      ...status === "error" && { errorMessage: "bad input" },
    });
  const steps: Step[] = [];
  const length = Math.floor(random() * 14);
  for (let i = 0; i < length; i++) {
    steps.push(
      pick<() => Step>([
        () => json(answer("pending", 0.1)),
        () => json(answer("pending", 0.5)),
        () => json(answer("pending", 0.2), { headers: { "retry-after": "2" } }),
        () =>
          json(answer("pending", 0.7), {
            headers: { "preference-applied": "wait=30" },
          }),
        () => json({ error: "slow down" }, { status: 429 }),
        () =>
          json({ error: "slow down" }, {
            status: 429,
            headers: { "retry-after": "3" },
          }),
        () =>
          json({ error: "busy" }, {
            status: 503,
            headers: { "retry-after": "1" },
          }),
        () => json({ error: "boom" }, { status: 500 }),
        () => new TypeError("connection reset"),
        () => new Response("not json", { status: 200 }),
      ])(),
    );
  }
  steps.push(
    pick<() => Step>([
      () => json(answer("completed", 1)),
      () => json(answer("error", 0.4)),
      () => json(answer("canceled", 0.3)),
      () => json({ error: "gone" }, { status: 404 }),
      // A job that never ends: the wait times out.
      () => json(answer("pending", 0.9)),
    ])(),
  );
  return steps;
}

/**
 * A schedule that has learned durations of a few seconds (so that it plans,
 * rather than falls back), the same for every run of a seed; `undefined`
 * (the client's backoff) for one seed in two.
 */
function scheduleFor(seed: number): NamingSchedule | undefined {
  if (seed % 2 === 0) return undefined;
  const random = seededRandom(seed * 104_729);
  // Its fallback's jitter from a seeded source too, not Math.random.
  const fallback = new Backoff({ random: seededRandom(seed * 15_485_863) });
  const schedule = new NamingSchedule({ fallback });
  for (let i = 0; i < 30; i++) {
    const atMost = 1000 + random() * 8000;
    schedule.observe({ after: atMost - random() * 500, atMost });
  }
  return schedule;
}

/** One client's options for a seed, with the shared clock, fetch and random source. */
function optionsFor(seed: number): VideoStatusClientOptions {
  const random = seededRandom(seed * 7919);
  const pick = <T>(values: T[]): T =>
    values[Math.floor(random() * values.length)];
  return {
    dialect: dialectOf(seed),
    strategy: pick(["poll", "auto", "long-poll"] as const),
    minDelay: pick([0, 50, 100]),
    jitter: pick([0, 0.1, 0.5]),
    maxRetries: pick([2, 5, 20]),
    initialDelay: pick([200, 1000]),
    maxDelay: pick([1000, 5000]),
    timeout: pick([5_000, 30_000, 120_000]),
  };
}

/** A world for one run: the same clock start, script and random source on every run of a seed. */
function world(seed: number) {
  const clock = new FakeClock({ start: 1_700_000_000_000 });
  const start = clock.now();
  const fake = scriptedFetch(script(seededRandom(seed), seed));
  // One schedule for the whole run, as one process's clients share theirs.
  const schedule = scheduleFor(seed);
  const trace: Trace = {
    requests: [],
    updates: [],
    retries: [],
    end: "",
    // Live: the schedule adds to it as it is asked.
    get waits() {
      return [...schedule?.waits ?? []];
    },
  };
  const random = seededRandom(seed + 1);
  const client = (): VideoStatusClient =>
    new VideoStatusClient({
      ...optionsFor(seed),
      ...schedule !== undefined && { schedule },
      serverUrl: "http://jobs.test",
      clock,
      random,
      fetch: (input, init) => {
        const request = new Request(input, init);
        trace.requests.push(
          `${clock.now() - start} ${request.url} ${
            request.headers.get("prefer")
          }`,
        );
        return fake.fetch(input, init);
      },
      onUpdate: (u: StatusUpdate) =>
        trace.updates.push(
          `${u.result} #${u.attempt} +${u.elapsed} next ${u.nextDelay} ${u.source}`,
        ),
      onRetry: (e) =>
        trace.retries.push(
          `${(e.error as Error).name} ${e.failures} next ${e.nextDelay}`,
        ),
    });
  const job = (): string | Job =>
    seed % 3 === 0 ? "j1" : {
      id: "j1",
      url: `http://jobs.test${PRESETS[dialectOf(seed)].jobPath("j1")}`,
      result: "pending",
      createdAt: start - 1000 * (seed % 5),
    };
  return { clock, start, trace, client, job, schedule };
}

const ended = (final: FinalUpdate): string =>
  `${final.result} #${final.attempt} +${final.elapsed} ${
    JSON.stringify(final.body)
  }`;
const failed = (error: unknown): string =>
  `${(error as Error).name}: ${(error as Error).message}`;

async function uninterrupted(seed: number): Promise<Trace> {
  const { client, trace, job } = world(seed);
  try {
    trace.end = ended(await client().waitForJob(job()));
  } catch (error) {
    trace.end = failed(error);
  }
  return trace;
}

/** Steps, each on a new client after a JSON round trip; resumes with `waitForJob()` after `resumeAfter` steps. */
async function inSteps(seed: number, resumeAfter: number): Promise<Trace> {
  const { client, clock, trace, job } = world(seed);
  try {
    let result = await client().step(job());
    let steps = 1;
    while (!result.done) {
      const saved = JSON.stringify(result.state);
      await clock.sleep(result.delay);
      const state: WaitState = JSON.parse(saved);
      if (steps++ === resumeAfter) {
        trace.end = ended(await client().waitForJob(state));
        return trace;
      }
      result = await client().step(state);
    }
    trace.end = ended(result.update);
  } catch (error) {
    trace.end = failed(error);
  }
  return trace;
}

Deno.test("a wait in steps with JSON round trips sends the requests and ends as one uninterrupted waitForJob()", async () => {
  const ends = new Set<string>();
  const dialects = new Set<string>();
  let named = 0;
  let deferred = 0;
  for (let seed = 1; seed <= 80; seed++) {
    const expected = await uninterrupted(seed);
    const actual = await inSteps(seed, Infinity);
    assert.deepEqual(actual, expected, `seed ${seed}`);
    // A wait keeps one name, step after step.
    assert.ok(actual.waits.length <= 1, `seed ${seed}: ${actual.waits}`);
    if (actual.waits.length === 1 && actual.requests.length > 2) named++;
    // The schedule deferred the first request: a first step sent nothing.
    if (!actual.requests[0]?.startsWith("0 ")) deferred++;
    ends.add(expected.end.split(/[ :]/)[0]);
    dialects.add(dialectOf(seed));
  }
  // Every dialect, and learned schedules that planned waits of several steps.
  assert.deepEqual([...dialects].sort(), [...DIALECTS].sort());
  assert.ok(named >= 10, `only ${named} named waits of several steps`);
  assert.ok(
    deferred >= 10,
    `only ${deferred} waits deferred their first request`,
  );
  // The scripts reach every way a wait ends.
  assert.deepEqual(
    [...ends].sort(),
    ["HTTPError", "RetryError", "TimeoutError", "completed", "error"],
  );
});

Deno.test("waitForJob() resumes a saved state after any number of steps as if never interrupted", async () => {
  for (let seed = 1; seed <= 80; seed++) {
    const expected = await uninterrupted(seed);
    for (const resumeAfter of [1, 2, 3 + (seed % 5)]) {
      const actual = await inSteps(seed, resumeAfter);
      assert.deepEqual(
        actual,
        expected,
        `seed ${seed}, resumed after ${resumeAfter}`,
      );
    }
  }
});
