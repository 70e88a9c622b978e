// The webhook chaos proof: waits that listen to webhooks while they poll,
// with 0, 20 and 100 % of the events dropped, duplicated, delayed past the
// safety poll, out of order, forged, or arriving before the wait. One
// FakeClock, a scripted server and an in-test source; every cell is seeded.
//
// In every cell: each wait ends with its job's real result, delivered once;
// nothing unverified is ever taken as a result; every wait ends by the next
// safety poll after its job ended at the latest (so with every event dropped,
// by polling); and no wait sends more than its first request, its safety
// polls and one request per hint.

import assert from "node:assert/strict";
import {
  type FinalStatus,
  type FinalUpdate,
  type StatusUpdate,
  VideoStatusClient,
  type WebhookEvent,
} from "../mod.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { json, scriptedFetch } from "../testing/scripted_fetch.ts";
import { seededRandom } from "../util/random.ts";
import { event, TestSource } from "./client/_webhook_source.ts";

const SAFETY = 60_000;
const JOBS = 16;
const FAULTS = [
  "dropped",
  "duplicated",
  "delayed",
  "out of order",
  "forged",
  "before the wait",
] as const;
type Fault = typeof FAULTS[number];

interface Job {
  id: string;
  /** When the job ends, on the clock. */
  endsAt: number;
  outcome: FinalStatus;
  /** When its wait starts. */
  waitAt: number;
  requests: number;
  /** Unverified events delivered to it: each may cost one request. */
  hints: number;
  updates: StatusUpdate[];
  final?: FinalUpdate;
  endedAt?: number;
}

async function runCell(
  fault: Fault,
  rate: number,
  seed: number,
): Promise<Job[]> {
  const random = seededRandom(seed);
  const clock = new FakeClock({ start: 0 });
  const source = new TestSource();
  const jobs = new Map<string, Job>();
  const { fetch } = scriptedFetch([(request) => {
    const job = jobs.get(new URL(request.url).pathname.split("/").pop()!)!;
    job.requests++;
    const result = clock.now() >= job.endsAt ? job.outcome : "pending";
    return json({ id: job.id, result });
  }]);
  const client = new VideoStatusClient({
    fetch,
    clock,
    strategy: "poll",
    jitter: 0,
    webhooks: source,
    timeout: 3_600_000,
  });
  const deliveries: Promise<void>[] = [];
  const send = (job: Job, at: number, sent: WebhookEvent): void => {
    deliveries.push(
      source.deliverIn(clock, at, sent).then(() => {
        // A hint heard while the wait listens may cost it one request.
        if (!sent.verified && job.waitAt <= at && job.final === undefined) {
          job.hints++;
        }
      }),
    );
  };
  for (let i = 0; i < JOBS; i++) {
    const hit = random() < rate;
    const endsAt = 1000 + Math.floor(random() * 300_000);
    const outcome: FinalStatus = random() < 0.7 ? "completed" : "error";
    const job: Job = {
      id: `job-${i}`,
      endsAt,
      outcome,
      waitAt: hit && fault === "before the wait"
        ? endsAt + 1 + Math.floor(random() * 30_000)
        : 0,
      requests: 0,
      hints: 0,
      updates: [],
    };
    jobs.set(job.id, job);
    const progress = event(job.id, "pending", { id: `${job.id}-p` });
    const done = event(job.id, outcome, { id: `${job.id}-f` });
    send(job, Math.floor(endsAt / 2), progress);
    if (hit && fault === "dropped") continue;
    if (hit && fault === "forged") {
      // A forger's claim, unverified, with the wrong result, before the end.
      const wrong = outcome === "completed" ? "error" : "completed";
      const forged = event(job.id, wrong, {
        id: `${job.id}-x`,
        verified: false,
        extra: { forged: true },
      });
      send(job, Math.floor(random() * endsAt), forged);
      send(job, endsAt, { ...done, verified: false });
      continue;
    }
    const delay = hit && fault === "delayed"
      ? SAFETY + Math.floor(random() * SAFETY)
      : 0;
    send(job, endsAt + delay, done);
    if (hit && fault === "duplicated") {
      send(job, endsAt + Math.floor(random() * 5000), done);
      send(job, Math.floor(endsAt / 2) + 1, progress);
    }
    if (hit && fault === "out of order") {
      send(job, endsAt + 1 + Math.floor(random() * 5000), {
        ...progress,
        id: `${job.id}-late`,
      });
    }
  }
  await Promise.all(
    [...jobs.values()].map(async (job) => {
      await clock.sleep(job.waitAt);
      job.final = await client.waitForJob(job.id, {
        onUpdate: (update) => job.updates.push(update),
      });
      job.endedAt = clock.now();
    }),
  );
  await Promise.all(deliveries);
  assert.equal(source.listening, 0, "a wait still listens");
  assert.equal(clock.timers, 0, "a timer is left");
  return [...jobs.values()];
}

for (const fault of FAULTS) {
  Deno.test(`webhooks chaos: ${fault}`, async (t) => {
    for (const rate of [0, 0.2, 1]) {
      await t.step(`${rate * 100} %`, async () => {
        for (let seed = 1; seed <= 2; seed++) {
          const jobs = await runCell(fault, rate, seed);
          for (const job of jobs) {
            const at = `seed ${seed}, ${job.id}`;
            const final = job.final!;
            assert.equal(final.result, job.outcome, `${at}: wrong result`);
            const finals = job.updates.filter((u) => u.result !== "pending");
            assert.deepEqual(finals, [final], `${at}: not delivered once`);
            const heard = job.updates.filter((u) =>
              u.source === "webhook" && u.result === "pending"
            );
            assert.ok(heard.length <= 1, `${at}: an event counted twice`);
            assert.equal(
              job.updates.at(-1),
              final,
              `${at}: update after final`,
            );
            assert.ok(
              job.updates.every((u) => u.body.forged === undefined),
              `${at}: a forged event was taken`,
            );
            // The next safety poll after the end finds it at the latest.
            const start = job.waitAt;
            assert.ok(
              job.endedAt! <= Math.max(job.endsAt, start) + SAFETY,
              `${at}: ended late`,
            );
            const polls = Math.floor((job.endedAt! - start) / SAFETY);
            assert.ok(
              job.requests <=
                (job.waitAt > job.endsAt ? 0 : 1) + polls + job.hints,
              `${at}: ${job.requests} requests, ${polls} safety polls, ${job.hints} hints`,
            );
          }
          const sources = new Set(jobs.map((job) => job.final!.source));
          if (
            rate === 0 || fault === "out of order" || fault === "duplicated"
          ) {
            // Every final event arrives on time: each wait ends on it.
            assert.deepEqual([...sources], ["webhook"], `seed ${seed}`);
          }
          if (rate === 1 && ["dropped", "forged", "delayed"].includes(fault)) {
            // No verified final event in time: every wait ends by polling.
            assert.deepEqual([...sources], ["poll"], `seed ${seed}`);
          }
          if (rate === 1 && fault === "before the wait") {
            assert.ok(jobs.every((job) => job.requests === 0), `seed ${seed}`);
          }
        }
      });
    }
  });
}
