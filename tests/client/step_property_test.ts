// The property of `step()`: a wait in steps, with a JSON round trip of its
// state between them and a new client (as in another process) for each,
// sends the requests an uninterrupted `waitForJob()` sends, at the same
// times, reports the same updates and retries, and ends the same way. So
// does a wait resumed by `waitForJob(state)` after any number of steps.

import assert from "node:assert/strict";
import {
  type FinalUpdate,
  type Job,
  type StatusUpdate,
  VideoStatusClient,
  type VideoStatusClientOptions,
  type WaitState,
} from "../../mod.ts";
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
}

/** A random job's answers: pending (some with hints), failures, pacing, then (mostly) a final status. */
function script(random: () => number): Step[] {
  const pick = <T>(values: T[]): T =>
    values[Math.floor(random() * values.length)];
  const steps: Step[] = [];
  const length = Math.floor(random() * 14);
  for (let i = 0; i < length; i++) {
    steps.push(
      pick<() => Step>([
        () => json({ result: "pending" }),
        () => json({ result: "pending" }),
        () => json({ result: "pending" }, { headers: { "retry-after": "2" } }),
        () =>
          json({ result: "pending" }, {
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
      () => json({ result: "completed", video_url: "https://cdn.test/v.mp4" }),
      () => json({ result: "error", error: "bad input" }),
      () => json({ result: "completed" }),
      () => json({ error: "gone" }, { status: 404 }),
      // A job that never ends: the wait times out.
      () => json({ result: "pending" }),
    ])(),
  );
  return steps;
}

/** One client's options for a seed, with the shared clock, fetch and random source. */
function optionsFor(seed: number): VideoStatusClientOptions {
  const random = seededRandom(seed * 7919);
  const pick = <T>(values: T[]): T =>
    values[Math.floor(random() * values.length)];
  return {
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
  const fake = scriptedFetch(script(seededRandom(seed)));
  const trace: Trace = { requests: [], updates: [], retries: [], end: "" };
  const random = seededRandom(seed + 1);
  const client = (): VideoStatusClient =>
    new VideoStatusClient({
      ...optionsFor(seed),
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
      url: "http://jobs.test/jobs/j1",
      result: "pending",
      createdAt: start - 1000 * (seed % 5),
    };
  return { clock, start, trace, client, job };
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
  for (let seed = 1; seed <= 80; seed++) {
    const expected = await uninterrupted(seed);
    const actual = await inSteps(seed, Infinity);
    assert.deepEqual(actual, expected, `seed ${seed}`);
    ends.add(expected.end.split(/[ :]/)[0]);
  }
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
