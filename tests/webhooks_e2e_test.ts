// The webhook proof end to end, with the real components: the simulator
// calls back (signed, dropped, duplicated, delayed as its options say) into
// the real receiver, whose waits are the client's. In process, one clock
// drives all three and the callbacks reach the receiver through the
// simulator's `fetch` option, so every cell is seeded and repeatable.
//
// In every cell: each wait ends with its job's result, delivered once;
// nothing forged or replayed is accepted; with every callback lost each wait
// still ends by polling; and no wait sends more than its first request and
// its safety polls.

import assert from "node:assert/strict";
import {
  createWebhookReceiver,
  type DialectName,
  type FinalStatus,
  type FinalUpdate,
  type Job as CreatedJob,
  type StatusUpdate,
  toNodeListener,
  VideoStatusClient,
  type WebhookReceiver,
  type WebhookSchemeName,
} from "../mod.ts";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSimulator, serve, type SimulatorOptions } from "../server.ts";
import { PRESETS } from "../protocol/dialects/mod.ts";
import { FakeClock, settle } from "../testing/fake_clock.ts";
import type { Clock } from "../timing/clock.ts";
import { seededRandom } from "../util/random.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const FORGER = "whsec_b2xkIGtleQ==";
const SAFETY = 10_000;
const JOBS = 6;
const HOOK = "http://127.0.0.1:9/hooks";
// Standard Webhooks (the first three) and HeyGen's body-only signature
// (heygen-video has no create request for the client to send).
const DIALECTS: DialectName[] = [
  "video-status",
  "replicate",
  "openai-video",
  "heygen-translate",
];

/**
 * Counts the WebCrypto calls in flight (signing in the simulator, verifying
 * in the receiver): real async work, which the clock must wait for before it
 * moves, or a poll due later could overtake a callback being signed.
 */
class CryptoWatch implements Disposable {
  busy = 0;
  #subtle = crypto.subtle as unknown as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >;
  #names = ["importKey", "sign", "verify", "digest"];

  constructor() {
    for (const name of this.#names) {
      const original = this.#subtle[name];
      this.#subtle[name] = (...args) => {
        this.busy++;
        return original.apply(crypto.subtle, args).finally(() => this.busy--);
      };
    }
  }

  [Symbol.dispose](): void {
    // The wrappers are own properties: removing them uncovers the originals.
    for (const name of this.#names) delete this.#subtle[name];
  }
}

/**
 * A FakeClock moved only by the test, which knows its next deadline: time
 * jumps there once the components have run out of work, WebCrypto included,
 * so that a callback is never overtaken by a poll due later than it.
 */
class DrivenClock implements Clock {
  readonly fake = new FakeClock({
    start: 1_700_000_000_000,
    autoAdvance: false,
  });
  #due = new Set<{ at: number }>();
  #crypto: CryptoWatch;

  constructor(watch: CryptoWatch) {
    this.#crypto = watch;
  }

  now(): number {
    return this.fake.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const due = { at: this.now() + Math.max(0, ms) };
    this.#due.add(due);
    return this.fake.sleep(ms, signal).finally(() => this.#due.delete(due));
  }

  /** Moves time on, deadline by deadline, until `done` settles. */
  async drive(done: Promise<unknown>): Promise<void> {
    let finished = false;
    done.then(() => finished = true, () => finished = true);
    while (!finished) {
      for (let turn = 0; turn < 3 || this.#crypto.busy > 0; turn++) {
        await settle();
      }
      if (finished) break;
      const next = Math.min(...[...this.#due].map((due) => due.at));
      assert.ok(Number.isFinite(next), "stuck: nothing left to wake");
      await this.fake.tick(next - this.now());
    }
  }
}

interface Cell {
  dialect: DialectName;
  seed: number;
  webhookDropRate?: number;
  webhookDuplicateRate?: number;
  minWebhookDelay?: number;
  maxWebhookDelay?: number;
  /** Each wait starts a while after its job ended. */
  late?: boolean;
  /** The receiver holds another secret than the simulator signs with. */
  forged?: boolean;
  /** The receiver verifies with this scheme instead of the dialect's. */
  scheme?: WebhookSchemeName;
}

interface Job {
  id: string;
  /** As `createJob()` returned it: half the waits are given it, half its id. */
  created: CreatedJob;
  endsAt: number;
  outcome: FinalStatus;
  waitAt: number;
  requests: number;
  updates: StatusUpdate[];
  final?: FinalUpdate;
  endedAt?: number;
}

interface Run {
  jobs: Job[];
  /** The receiver's answer to each callback, in order. */
  answers: number[];
  /** When the receiver took the first copy of each job's callback. */
  accepted: Map<string, number>;
  /** Each callback as the simulator sent it. */
  sent: Request[];
  clock: DrivenClock;
}

/** The components wired together: the client asks the simulator, which calls back the receiver. */
function wire(
  clock: DrivenClock,
  options: SimulatorOptions & { dialect: DialectName },
  receiver: WebhookReceiver,
) {
  const dialect = PRESETS[options.dialect as DialectName];
  const answers: number[] = [];
  const accepted = new Map<string, number>();
  const sent: Request[] = [];
  const requests = new Map<string, number>();
  const simulator = createSimulator({
    ...options,
    clock,
    webhookSecret: SECRET,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      sent.push(request.clone());
      const body = await request.clone().json();
      const response = await receiver.fetch(request);
      answers.push(response.status);
      if (response.status === 204) {
        accepted.set(dialect.idOf(body)!, clock.now());
      }
      return response;
    },
  });
  const client = new VideoStatusClient({
    serverUrl: "http://simulator.test",
    dialect: options.dialect,
    clock,
    strategy: "poll",
    jitter: 0,
    webhooks: receiver,
    webhookSafetyDelay: SAFETY,
    // Replicate's create may be held until the job ends: at most a second
    // here, shorter than any job, as each must end while its wait listens.
    longPollWait: 1_000,
    fetch: (input, init) => {
      const request = new Request(input, init);
      if (request.method === "GET") {
        const path = new URL(request.url).pathname;
        requests.set(path, (requests.get(path) ?? 0) + 1);
      }
      return simulator.fetch(request);
    },
  });
  return { simulator, client, answers, accepted, sent, requests };
}

async function runCell(cell: Cell): Promise<Run> {
  const {
    dialect,
    seed,
    late = false,
    forged = false,
    scheme,
    ...faults
  } = cell;
  const random = seededRandom(seed);
  using watch = new CryptoWatch();
  const clock = new DrivenClock(watch);
  const receiver = createWebhookReceiver({
    secret: forged ? FORGER : SECRET,
    dialect,
    scheme,
    clock,
  });
  const { simulator, client, answers, accepted, sent, requests } = wire(
    clock,
    { dialect, seed, ...faults },
    receiver,
  );
  const jobs: Job[] = [];
  const creating = (async () => {
    for (let i = 0; i < JOBS; i++) {
      const duration = 2_000 + Math.floor(random() * 30_000);
      const outcome: FinalStatus = random() < 0.7 ? "completed" : "error";
      const createdAt = clock.now();
      const created = await client.createJob({
        duration,
        outcome,
        callbackUrl: HOOK,
      });
      jobs.push({
        id: created.id,
        created,
        endsAt: createdAt + duration,
        outcome,
        // A late wait starts once the callback (sent at the end) is in.
        waitAt: late ? duration + 1 + Math.floor(random() * 5_000) : 0,
        requests: 0,
        updates: [],
      });
    }
  })();
  await clock.drive(creating);
  await creating;
  const waits = Promise.all(jobs.map(async (job, i) => {
    await clock.sleep(job.waitAt);
    job.waitAt = clock.now();
    job.final = await client.waitForJob(i % 2 === 0 ? job.id : job.created, {
      onUpdate: (update) => job.updates.push(update),
    });
    job.endedAt = clock.now();
  }));
  await clock.drive(waits);
  await waits;
  // Let late copies and retries land, then leave nothing behind.
  await clock.drive(clock.sleep(60_000));
  await simulator.close();
  assert.equal(clock.fake.timers, 0, "a timer is left");
  for (const job of jobs) {
    job.requests = [...requests].filter(([path]) => path.includes(job.id))
      .reduce((sum, [, count]) => sum + count, 0);
  }
  return { jobs, answers, accepted, sent, clock };
}

/** What holds in every cell, whatever the faults. */
function assertEveryWait(run: Run, at: string): void {
  for (const job of run.jobs) {
    const where = `${at}, ${job.id}`;
    const final = job.final!;
    assert.equal(final.result, job.outcome, `${where}: wrong result`);
    const finals = job.updates.filter((u) => u.result !== "pending");
    assert.deepEqual(finals, [final], `${where}: not delivered once`);
    assert.equal(job.updates.at(-1), final, `${where}: update after final`);
    assert.ok(
      job.endedAt! <= Math.max(job.endsAt, job.waitAt) + SAFETY,
      `${where}: ended ${job.endedAt! - job.endsAt} ms after the job`,
    );
    const polls = Math.floor((job.endedAt! - job.waitAt) / SAFETY);
    assert.ok(
      job.requests <= 1 + polls,
      `${where}: ${job.requests} requests, ${polls} safety polls`,
    );
  }
}

const sources = (run: Run): string[] =>
  run.jobs.map((job) => job.final!.source);
const count = (answers: number[], status: number): number =>
  answers.filter((each) => each === status).length;

for (const dialect of DIALECTS) {
  Deno.test(`webhooks end to end (${dialect}): dropped`, async (t) => {
    for (const rate of [0, 0.2, 1]) {
      await t.step(`${rate * 100} %`, async () => {
        for (let seed = 1; seed <= 2; seed++) {
          const run = await runCell({ dialect, seed, webhookDropRate: rate });
          const at = `seed ${seed}`;
          assertEveryWait(run, at);
          // Each callback that arrived ended its wait, at once.
          const heard = run.jobs.filter((job) =>
            job.final!.source === "webhook"
          );
          assert.equal(heard.length, count(run.answers, 204), at);
          for (const job of heard) {
            // It ended the moment the callback came in, sent as the job ended.
            assert.equal(job.endedAt, run.accepted.get(job.id), at);
            assert.equal(job.endedAt, job.endsAt, `${at}: latency`);
          }
          if (rate === 0) assert.equal(heard.length, JOBS, at);
          if (rate === 1) {
            assert.deepEqual(run.answers, [], at);
            assert.deepEqual(sources(run), Array(JOBS).fill("poll"), at);
          }
        }
      });
    }
  });

  Deno.test(`webhooks end to end (${dialect}): duplicated`, async (t) => {
    for (const rate of [0.2, 1]) {
      await t.step(`${rate * 100} %`, async () => {
        const run = await runCell({
          dialect,
          seed: 3,
          webhookDuplicateRate: rate,
        });
        assertEveryWait(run, "seed 3");
        assert.deepEqual(sources(run), Array(JOBS).fill("webhook"));
        assert.equal(count(run.answers, 204), JOBS);
        if (rate === 1) assert.equal(count(run.answers, 200), JOBS);
      });
    }
  });

  Deno.test(`webhooks end to end (${dialect}): delayed past the safety poll`, async (t) => {
    await t.step("all of them", async () => {
      const run = await runCell({
        dialect,
        seed: 4,
        minWebhookDelay: SAFETY + 1,
        maxWebhookDelay: 2 * SAFETY,
      });
      assertEveryWait(run, "seed 4");
      assert.deepEqual(sources(run), Array(JOBS).fill("poll"));
      // They still arrive (after the waits ended) and are accepted.
      assert.equal(count(run.answers, 204), JOBS);
    });
    await t.step("some of them", async () => {
      const run = await runCell({
        dialect,
        seed: 5,
        minWebhookDelay: 0,
        maxWebhookDelay: 2 * SAFETY,
      });
      assertEveryWait(run, "seed 5");
    });
  });

  Deno.test(`webhooks end to end (${dialect}): arriving before the wait`, async () => {
    const run = await runCell({ dialect, seed: 6, late: true });
    assertEveryWait(run, "seed 6");
    assert.deepEqual(sources(run), Array(JOBS).fill("webhook"));
    for (const job of run.jobs) {
      assert.equal(job.requests, 0, job.id);
      assert.equal(job.endedAt, job.waitAt, job.id);
    }
  });

  Deno.test(`webhooks end to end (${dialect}): forged`, async () => {
    const run = await runCell({ dialect, seed: 7, forged: true });
    assertEveryWait(run, "seed 7");
    assert.deepEqual(sources(run), Array(JOBS).fill("poll"));
    assert.ok(run.answers.length >= JOBS);
    assert.ok(run.answers.every((status) => status === 401), `${run.answers}`);
  });
}

Deno.test("webhooks end to end: a receiver verifying with another scheme than the sender's takes nothing", async (t) => {
  const cells: [DialectName, WebhookSchemeName][] = [
    ["heygen-translate", "standard-webhooks"],
    ["video-status", "heygen"],
  ];
  for (const [dialect, scheme] of cells) {
    await t.step(`${dialect} signed, ${scheme} verified`, async () => {
      const run = await runCell({ dialect, seed: 10, scheme });
      assertEveryWait(run, dialect);
      assert.deepEqual(sources(run), Array(JOBS).fill("poll"));
      assert.ok(run.answers.length >= JOBS);
      assert.ok(
        run.answers.every((status) => status === 401),
        `${run.answers}`,
      );
    });
  }
});

Deno.test("webhooks end to end: a replayed callback is refused once its timestamp is old", async () => {
  const run = await runCell({ dialect: "video-status", seed: 8 });
  assertEveryWait(run, "seed 8");
  // A real callback, signed by the simulator and taken by the receiver.
  const original = run.sent[0];
  const jobId = PRESETS["video-status"].idOf(await original.clone().json())!;
  assert.ok(run.accepted.has(jobId));
  const signedAt = Number(original.headers.get("webhook-timestamp")) * 1_000;
  const age = run.clock.now() - signedAt;
  const tolerance = 60_000;
  assert.ok(age > tolerance, `only ${age} ms old`);
  const heard: unknown[] = [];
  const receiver = createWebhookReceiver({
    secret: SECRET,
    clock: run.clock,
    tolerance,
  });
  const stop = receiver.listen(jobId, (event) => heard.push(event));
  const response = await receiver.fetch(original.clone());
  assert.equal(response.status, 401);
  assert.equal(await response.text(), "Refused: timestamp too old");
  assert.deepEqual(heard, []);
  stop();
  // The same bytes within the tolerance are taken: only their age refuses them.
  const lenient = createWebhookReceiver({
    secret: SECRET,
    clock: run.clock,
    tolerance: age,
  });
  assert.equal((await lenient.fetch(original.clone())).status, 204);
});

/**
 * Over real sockets: the simulator served, a receiver served at `hooks`, a
 * client; the wait must end on the callback, long before its safety poll,
 * having sent one status request.
 */
async function endsOnWebhookOverSockets(
  receiver: WebhookReceiver,
  hooks: string,
): Promise<void> {
  await using server = await serve({
    port: 0,
    hostname: "127.0.0.1",
    webhookSecret: SECRET,
    seed: 9,
  });
  const requests: string[] = [];
  const client = new VideoStatusClient({
    serverUrl: `http://127.0.0.1:${server.port}`,
    // A held long-poll would end with the job too, and race the callback.
    strategy: "poll",
    fetch: (input, init) => {
      const request = new Request(input, init);
      requests.push(request.method);
      return fetch(request);
    },
  });
  const job = await client.createJob({
    duration: 300,
    outcome: "completed",
    callbackUrl: hooks,
  });
  const updates: StatusUpdate[] = [];
  const started = performance.now();
  const final = await client.waitForJob(job, {
    webhooks: receiver,
    onUpdate: (update) => updates.push(update),
  });
  const took = performance.now() - started;
  assert.equal(final.result, "completed");
  assert.equal(final.source, "webhook");
  assert.deepEqual(updates.filter((u) => u.result !== "pending"), [final]);
  // The safety poll is a minute away: only the callback can end it this soon.
  assert.ok(took < 10_000, `took ${took} ms`);
  assert.deepEqual(requests, ["POST", "GET"]);
}

Deno.test("webhooks end to end over sockets: a Deno.serve receiver", async () => {
  const receiver = createWebhookReceiver({ secret: SECRET });
  await using hooks = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    receiver.fetch,
  );
  await endsOnWebhookOverSockets(
    receiver,
    `http://127.0.0.1:${hooks.addr.port}/hooks`,
  );
});

Deno.test("webhooks end to end over sockets: a node:http receiver", async () => {
  const receiver = createWebhookReceiver({ secret: SECRET });
  const hooks = createServer(toNodeListener(receiver));
  await new Promise<void>((resolve) =>
    hooks.listen(0, "127.0.0.1", () => resolve())
  );
  try {
    const { port } = hooks.address() as AddressInfo;
    await endsOnWebhookOverSockets(receiver, `http://127.0.0.1:${port}/hooks`);
  } finally {
    hooks.closeAllConnections();
    await new Promise((resolve) => hooks.close(resolve));
  }
});
