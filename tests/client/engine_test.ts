import assert from "node:assert/strict";
import {
  type CompletionObservation,
  HTTPError,
  NetworkError,
  type PollSchedule,
  RetryError,
  type StatusUpdate,
  type Strategy,
  TimeoutError,
  VideoStatusClient,
} from "../../mod.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import {
  hang,
  json,
  scriptedFetch,
  type Step,
} from "../../testing/scripted_fetch.ts";
import { seededRandom } from "../../util/random.ts";
import { completed, held, pending, setup, statusStream } from "./_setup.ts";

Deno.test("no schedule, hint or answer makes a wait send requests closer than minDelay", async () => {
  for (let seed = 1; seed <= 30; seed++) {
    const random = seededRandom(seed);
    const pick = <T>(values: T[]): T =>
      values[Math.floor(random() * values.length)];
    const minDelay = pick([0, 1, 50, 100, 250]);
    const clock = new FakeClock();
    const times: number[] = [];
    let answers = 0;
    const answer = (): Response => {
      if (++answers > 25) return completed();
      return pick([
        () => pending(),
        () => held("pending"),
        () => json({ result: "pending" }, { headers: { "retry-after": "0" } }),
        () => json({ error: "busy" }, { status: 429 }),
        () =>
          json({ error: "busy" }, {
            status: 503,
            headers: { "retry-after": "0" },
          }),
        () => json({ error: "boom" }, { status: 500 }),
        () => json({ oops: true }),
      ])();
    };
    const schedule: PollSchedule = {
      nextDelay: () => pick([0, 0, 1, minDelay / 2, minDelay, 3 * minDelay]),
    };
    const client = new VideoStatusClient({
      clock,
      minDelay,
      maxRetryAfter: Math.max(minDelay, 1000),
      schedule,
      jitter: random() / 2,
      random,
      maxRetries: 1000,
      strategy: pick(["poll", "auto", "long-poll"] as const),
      fetch: () => {
        times.push(clock.now());
        return Promise.resolve(answer());
      },
    });
    assert.equal(await client.getStatus(), "completed", `seed ${seed}`);
    for (let i = 1; i < times.length; i++) {
      assert.ok(
        times[i] - times[i - 1] >= minDelay,
        `seed ${seed}: requests ${i} and ${i + 1} were ${
          times[i] - times[i - 1]
        } ms apart, minDelay ${minDelay}`,
      );
    }
  }
});

Deno.test("a schedule that returns 0 is legal but floored by minDelay", async () => {
  const { client, sentAt, updates } = setup(
    [pending(), pending(), completed()],
    {
      schedule: { nextDelay: () => 0 },
      minDelay: 100,
    },
  );
  assert.equal(await client.getStatus(), "completed");
  assert.deepEqual(sentAt, [0, 100, 200]);
  assert.deepEqual(updates.map((u) => u.nextDelay), [100, 100, undefined]);
});

Deno.test("a schedule that returns a bad delay rejects the wait with a RangeError naming it", async (t) => {
  class Broken implements PollSchedule {
    constructor(readonly value: unknown) {}
    nextDelay(): number {
      return this.value as number;
    }
  }
  for (
    const [value, shown] of [
      [NaN, "NaN"],
      [Infinity, "Infinity"],
      [-Infinity, "-Infinity"],
      [-1, "-1"],
      ["5", '"5"'],
      [undefined, "undefined"],
    ] as const
  ) {
    await t.step(shown, async () => {
      const { client, requests } = setup([pending()], {
        schedule: new Broken(value),
      });
      await assert.rejects(client.getStatus(), (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /schedule Broken/);
        assert.ok(
          error.message.endsWith(`current value is ${shown}`),
          error.message,
        );
        return true;
      });
      assert.equal(requests.length, 1);
    });
  }
});

Deno.test("a 429 without Retry-After for a minute slows the wait but does not end it", async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const times: number[] = [];
  const failures: number[] = [];
  const client = new VideoStatusClient({
    clock,
    jitter: 0,
    strategy: "poll",
    timeout: 120_000,
    onRetry: (event) => failures.push(event.failures),
    fetch: () => {
      const now = clock.now() - start;
      times.push(now);
      return Promise.resolve(
        now < 60_000 ? json({ error: "quota" }, { status: 429 }) : completed(),
      );
    },
  });
  assert.equal(await client.getStatus(), "completed");
  // Past maxDelay (5 s), doubling up to maxRetryAfter (60 s).
  assert.deepEqual(times, [0, 1000, 3000, 7000, 15_000, 31_000, 63_000]);
  assert.deepEqual(failures, [0, 0, 0, 0, 0, 0]);
});

Deno.test("pacing answers still end at the wait's timeout", async () => {
  const { client, clock } = setup([json({}, { status: 429 })], {
    timeout: 30_000,
  });
  const start = clock.now();
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof TimeoutError, String(error));
  assert.equal(clock.now() - start, 30_000);
});

Deno.test("a 503 with Retry-After paces; without it, it is a failure", async () => {
  const paced = setup([
    json({}, { status: 503, headers: { "retry-after": "2" } }),
    json({}, { status: 503, headers: { "retry-after": "2" } }),
    completed(),
  ], { maxRetries: 0 });
  assert.equal(await paced.client.getStatus(), "completed");
  assert.deepEqual(paced.sentAt, [0, 2000, 4000]);
  const failing = setup([json({}, { status: 503 }), completed()], {
    maxRetries: 0,
  });
  const error = await failing.client.getStatus().catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.failures, 1);
  assert.equal(error.method, "GET");
  assert.equal(error.url, "http://127.0.0.1:5000/status");
});

Deno.test("a server's hint is only ever lengthened by jitter", async (t) => {
  for (const draw of [0, 0.5, 0.999]) {
    await t.step(`random ${draw}`, async () => {
      const { client, updates } = setup([
        json({ result: "pending" }, { headers: { "retry-after": "2" } }),
        completed(),
      ], { jitter: 0.5, random: () => draw });
      await client.getStatus();
      assert.equal(updates[0].nextDelay, 2000 * (1 + 0.5 * draw));
    });
  }
});

Deno.test("every update carries the body of its answer", async () => {
  const { client, updates } = setup([
    json({ result: "pending", progress: 0.5 }),
    json({ result: "completed", video_url: "https://cdn.test/v.mp4" }),
  ]);
  const final = await client.waitForJob("j");
  assert.deepEqual(updates[0].body, { result: "pending", progress: 0.5 });
  assert.deepEqual(final.body, {
    result: "completed",
    video_url: "https://cdn.test/v.mp4",
  });
});

Deno.test("only a wait that knows its job's start teaches the schedule", async (t) => {
  const observing = () => {
    const observed: CompletionObservation[] = [];
    const schedule: PollSchedule = {
      nextDelay: () => 1000,
      observe: (observation) => observed.push(observation),
    };
    return { observed, schedule };
  };
  const created = json({ id: "j", result: "pending" }, { status: 201 });

  await t.step("getStatus() and waitForJob(id) never", async () => {
    const { observed, schedule } = observing();
    const { client } = setup([pending(), completed()], { schedule });
    await client.getStatus();
    await client.waitForJob("j");
    for await (const _ of client.watch("j")) { /* drain */ }
    assert.deepEqual(observed, []);
  });

  await t.step(
    "an already-final first poll teaches an interval, not a duration",
    async () => {
      const { observed, schedule } = observing();
      const { client, clock } = setup([created, completed()], { schedule });
      const job = await client.createJob();
      await clock.sleep(4000);
      await client.waitForJob(job);
      assert.deepEqual(observed, [{
        after: 0,
        atMost: 4000,
        wait: observed[0]?.wait,
        // The wait began at 4 s: it did not watch the job end.
        watchedFrom: 4000,
      }]);
      // The wait is named the same in every call about it: its job's start and URL.
      assert.match(observed[0].wait ?? "", /^\d+ https?:\/\//);
    },
  );

  await t.step(
    "a held first answer teaches nothing: it may have been held until the end",
    async () => {
      const { observed, schedule } = observing();
      const { client, clock } = setup([created, held("completed")], {
        schedule,
        strategy: "long-poll",
      });
      const job = await client.createJob();
      await clock.sleep(4000);
      await client.waitForJob(job);
      assert.deepEqual(observed, []);
    },
  );

  await t.step(
    "polls: after the last pending answer, at most the final",
    async () => {
      const { observed, schedule } = observing();
      const { client } = setup([created, pending(), pending(), completed()], {
        schedule,
      });
      await client.waitForJob(await client.createJob());
      assert.deepEqual(observed, [{
        after: 1000,
        atMost: 2000,
        wait: observed[0]?.wait,
        watchedFrom: 0,
      }]);
      // The wait is named the same in every call about it: its job's start and URL.
      assert.match(observed[0].wait ?? "", /^\d+ https?:\/\//);
    },
  );

  await t.step(
    "a held long-poll after a pending answer saw the change",
    async () => {
      const { observed, schedule } = observing();
      const slowFinal = (clock: FakeClock) => async (): Promise<Response> => {
        await clock.sleep(7000);
        return held("completed");
      };
      const { client } = setup((clock) => [
        created,
        held("pending"),
        slowFinal(clock),
      ], {
        schedule,
        strategy: "long-poll",
        minDelay: 100,
      });
      await client.waitForJob(await client.createJob());
      // The second request left at 100 and was held until the change at 7100.
      assert.deepEqual(observed, [{
        after: 100,
        atMost: 7100,
        wait: observed[0]?.wait,
        watchedFrom: 0,
      }]);
      // The wait is named the same in every call about it: its job's start and URL.
      assert.match(observed[0].wait ?? "", /^\d+ https?:\/\//);
    },
  );
});

/**
 * A virtual clock whose time jumps ahead once, when the first request arms
 * its timeout, as if a busy event loop let it leave long after its turn.
 */
class BusyClock {
  time = 0;
  #timers: { at: number; resolve: () => void }[] = [];
  #jumped = false;
  constructor(readonly requestTimeout: number, readonly jump: number) {}
  now = (): number => this.time;
  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (ms === this.requestTimeout && !this.#jumped) {
      this.#jumped = true;
      this.time += this.jump;
    }
    return new Promise((resolve, reject) => {
      const timer = { at: this.time + ms, resolve };
      this.#timers.push(timer);
      signal?.addEventListener("abort", () => {
        this.#timers.splice(this.#timers.indexOf(timer), 1);
        reject(signal.reason);
      }, { once: true });
      setTimeout(() => this.#fire(), 0);
    });
  };
  #fire(): void {
    if (this.#timers.length === 0) return;
    this.#timers.sort((a, b) => a.at - b.at);
    const timer = this.#timers.shift()!;
    this.time = Math.max(this.time, timer.at);
    timer.resolve();
  }
}

Deno.test("a request's budget slot counts from when it is really sent", async () => {
  const clock = new BusyClock(7777, 600);
  const times: number[] = [];
  const client = new VideoStatusClient({
    clock,
    maxRequestsPerSecond: 1,
    requestTimeout: 7777,
    strategy: "poll",
    fetch: () => {
      times.push(clock.now());
      return Promise.resolve(completed());
    },
  });
  await Promise.all([client.getStatus(), client.getStatus()]);
  assert.equal(times.length, 2);
  assert.ok(times[1] - times[0] >= 1000, `${times[1] - times[0]} ms apart`);
});

Deno.test("every error names the method and the URL", async () => {
  const serverUrl = "http://example.test";
  const refused = setup([json({}, { status: 400 })], { serverUrl });
  const posting = await refused.client.createJob().catch((e) => e);
  assert.ok(posting instanceof HTTPError);
  assert.deepEqual([posting.method, posting.url], [
    "POST",
    "http://example.test/jobs",
  ]);
  const slow = setup([pending()], { serverUrl, timeout: 5000 });
  const timedOut = await slow.client.waitForJob("j").catch((e) => e);
  assert.ok(timedOut instanceof TimeoutError);
  assert.deepEqual([timedOut.method, timedOut.url], [
    "GET",
    "http://example.test/jobs/j",
  ]);
});
Deno.test("getStatus() retries network errors, 5xx and 408, and waits out a 429 without counting it", async () => {
  const { client, retries, requests } = setup([
    new TypeError("connection refused"),
    json({ error: "boom" }, { status: 500 }),
    new Response("<html>bad gateway</html>", { status: 502 }),
    json({ error: "slow" }, { status: 408 }),
    json({ error: "busy" }, { status: 429 }),
    pending(),
    new TypeError("reset"),
    completed(),
  ]);
  assert.equal(await client.getStatus(), "completed");
  assert.equal(requests.length, 8);
  assert.deepEqual(retries.map((r) => r.failures), [1, 2, 3, 4, 4, 1]);
  assert.deepEqual(
    retries.map((r) => r.nextDelay),
    [1000, 2000, 4000, 5000, 1000, 1000],
  );
  assert.ok(retries[1].error instanceof HTTPError);
  assert.equal((retries[1].error as HTTPError).status, 500);
});

Deno.test("getStatus() rejects with RetryError after maxRetries consecutive failures", async () => {
  const last = new TypeError("connection refused");
  const { client, requests } = setup([last], { maxRetries: 3 });
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.name, "RetryError");
  assert.equal(error.failures, 4);
  // The last failure, as a NetworkError whose cause is a copy of fetch's.
  assert.ok(error.cause instanceof NetworkError);
  assert.ok(error.cause.cause instanceof TypeError);
  assert.equal(error.cause.cause.message, last.message);
  assert.equal(requests.length, 4);
});

Deno.test("maxRetries: 0 gives up on the first failure", async () => {
  const { client, requests } = setup([json({}, { status: 503 })], {
    maxRetries: 0,
  });
  await assert.rejects(client.getStatus(), RetryError);
  assert.equal(requests.length, 1);
});

Deno.test("a wait rejects with TimeoutError at its timeout", async () => {
  const { client, clock } = setup([pending()], { timeout: 12_000 });
  const start = clock.now();
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof TimeoutError);
  assert.equal(error.name, "TimeoutError");
  assert.equal(error.timeout, 12_000);
  assert.equal(error.lastStatus, "pending");
  assert.equal(error.attempts, 4);
  assert.equal(clock.now() - start, 12_000);
  assert.equal(clock.timers, 0);
});

Deno.test("a server that never answers ends in TimeoutError by the wait's timeout", async () => {
  const { client, clock } = setup([hang], {
    timeout: 25_000,
    requestTimeout: 4000,
    maxRetries: 100,
  });
  const start = clock.now();
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof TimeoutError);
  assert.equal(error.timeout, 25_000);
  assert.equal(clock.now() - start, 25_000);
});

Deno.test("Retry-After is honoured on pending, 429 and 503, within bounds", async (t) => {
  const cases: [string, string, number][] = [
    ["pending", "3", 3000],
    ["429", "7", 7000],
    ["503", "2", 2000],
    ["429", "0", 100],
    ["503", "86400", 60_000],
    ["pending", "Thu, 01 Jan 1970 00:16:50 GMT", 10_000],
  ];
  for (const [kind, header, expected] of cases) {
    await t.step(`${kind} Retry-After: ${header}`, async () => {
      const first = kind === "pending"
        ? json({ result: "pending" }, { headers: { "retry-after": header } })
        : json({ error: "later" }, {
          status: Number(kind),
          headers: { "retry-after": header },
        });
      const { client, clock } = setup([first, completed()]);
      await client.getStatus();
      assert.equal(clock.sleeps.filter((ms) => ms < 600_000)[1], expected);
    });
  }
});

Deno.test("abort before the start rejects with the reason and sends nothing", async () => {
  const { client, requests } = setup([completed()]);
  const reason = new Error("not wanted");
  await assert.rejects(
    client.getStatus({ signal: AbortSignal.abort(reason) }),
    (error) => error === reason,
  );
  assert.equal(requests.length, 0);
});

Deno.test("abort during a sleep rejects with the reason and sends no further request", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const fake = scriptedFetch([pending()]);
  const client = new VideoStatusClient({ fetch: fake.fetch, clock });
  const controller = new AbortController();
  const waiting = client.getStatus({ signal: controller.signal });
  await clock.tick(0);
  assert.equal(fake.requests.length, 1);
  const reason = new DOMException("user left", "AbortError");
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  await clock.tick(60_000);
  assert.equal(fake.requests.length, 1);
  assert.equal(clock.timers, 0);
});

Deno.test("abort during a request aborts it and rejects with the reason", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const fake = scriptedFetch([hang]);
  const client = new VideoStatusClient({ fetch: fake.fetch, clock });
  const controller = new AbortController();
  const waiting = client.getStatus({ signal: controller.signal });
  await clock.tick(0);
  assert.equal(fake.requests.length, 1);
  const reason = "stop";
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(fake.requests[0].signal.aborted, true);
  assert.equal(clock.timers, 0);
});

Deno.test("maxRequestsPerSecond bounds the requests of all waits in any second", async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const times: number[] = [];
  const client = new VideoStatusClient({
    clock,
    maxRequestsPerSecond: 4,
    fetch: () => {
      times.push(clock.now() - start);
      return Promise.resolve(completed());
    },
  });
  await Promise.all(Array.from({ length: 6 }, () => client.getStatus()));
  // A second and a millisecond: see MemoryBudget.
  assert.deepEqual(times, [0, 0, 0, 0, 1001, 1001]);
});

Deno.test("a wait for a created job teaches the schedule where its completion lay", async () => {
  const observed: CompletionObservation[] = [];
  const { client } = setup([
    json({ id: "j", result: "pending" }, { status: 201 }),
    pending(),
    pending(),
    completed(),
  ], {
    schedule: {
      nextDelay: () => 3000,
      observe: (observation) => observed.push(observation),
    },
  });
  await client.waitForJob(await client.createJob());
  assert.deepEqual(observed, [{
    after: 3000,
    atMost: 6000,
    wait: observed[0]?.wait,
    watchedFrom: 0,
  }]);
  // The wait is named the same in every call about it: its job's start and URL.
  assert.match(observed[0].wait ?? "", /^\d+ https?:\/\//);
});

Deno.test("a wait queued for the request budget still ends at its timeout", async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const client = new VideoStatusClient({
    clock,
    maxRequestsPerSecond: 1,
    timeout: 2500,
    fetch: () => Promise.resolve(pending()),
  });
  const ends: number[] = [];
  const results = await Promise.allSettled(
    Array.from(
      { length: 5 },
      () => client.getStatus().finally(() => ends.push(clock.now() - start)),
    ),
  );
  for (const result of results) {
    assert.equal(result.status, "rejected");
    assert.ok(result.reason instanceof TimeoutError);
  }
  assert.deepEqual(ends, [2500, 2500, 2500, 2500, 2500]);
  assert.equal(clock.timers, 0);
});

Deno.test("an abort just before a request goes out sends nothing", async () => {
  const controller = new AbortController();
  const reason = new Error("changed my mind");
  const { client, requests } = setup([completed()]);
  const waiting = client.getStatus({ signal: controller.signal });
  // The wait has started and is taking its (unlimited) budget turn.
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(requests.length, 0);
});

// The caller's onUpdate throwing: the same under every transport and API.
const P = { result: "pending" };
const DONE = { result: "completed" };

// (The WebSocket strategy opens sockets, not requests: its own tests say the same.)
const scripts: Record<Exclude<Strategy, "websocket">, () => Step[]> = {
  "poll": () => [pending(), pending(), completed()],
  "long-poll": () => [held("pending"), held("pending"), held("completed")],
  "auto": () => [held("pending"), held("pending"), held("completed")],
  // Two statuses on the first stream, then the final on the next.
  "sse": () => [statusStream([P, P]), statusStream([DONE])],
};

type Where = "client" | "wait" | "watch";

Deno.test("an exception in onUpdate ends the wait with it: no request follows, no update twice", async (t) => {
  for (const strategy of Object.keys(scripts) as (keyof typeof scripts)[]) {
    for (const where of ["client", "wait", "watch"] as Where[]) {
      for (const throwAt of [1, 2, 3]) {
        await t.step(
          `${strategy}, ${where} onUpdate, update ${throwAt}`,
          async () => {
            const oops = new Error("callback failed");
            const delivered: StatusUpdate[] = [];
            let requestsAtThrow = -1;
            const onUpdate = (update: StatusUpdate) => {
              delivered.push(update);
              if (delivered.length === throwAt) {
                requestsAtThrow = fixture.requests.length;
                throw oops;
              }
            };
            const fixture = setup(scripts[strategy](), {
              strategy,
              onUpdate: where === "client" ? onUpdate : undefined,
            });
            const options = where === "client" ? {} : { onUpdate };
            const yielded: StatusUpdate[] = [];
            const waiting = where === "watch"
              ? (async () => {
                for await (const update of fixture.client.watch("j", options)) {
                  yielded.push(update);
                }
              })()
              : fixture.client.waitForJob("j", options);
            await assert.rejects(waiting, (error) => error === oops);
            assert.equal(fixture.requests.length, requestsAtThrow);
            assert.equal(delivered.length, throwAt);
            assert.deepEqual(
              delivered.map((update) => update.result),
              ["pending", "pending", "completed"].slice(0, throwAt),
            );
            // watch() yields only what onUpdate accepted.
            const accepted = delivered.slice(0, throwAt - 1);
            assert.deepEqual(yielded, where === "watch" ? accepted : []);
            assert.equal(fixture.clock.timers, 0);
          },
        );
      }
    }
  }
});

Deno.test("for any server, an exception in onUpdate ends the wait at once with it", async () => {
  const random = seededRandom(5);
  const strategies = Object.keys(scripts) as (keyof typeof scripts)[];
  for (let run = 0; run < 300; run++) {
    const strategy = strategies[Math.floor(random() * strategies.length)];
    const answer = (): Step => {
      const draw = random();
      if (draw < 0.2) return new TypeError("connection reset");
      if (draw < 0.3) return json({ error: "busy" }, { status: 503 });
      if (strategy === "sse") {
        return statusStream(
          Array.from({ length: 1 + Math.floor(random() * 3) }, () => P),
        );
      }
      return draw < 0.6 ? pending() : held("pending");
    };
    const steps = Array.from({ length: Math.floor(random() * 8) }, answer);
    steps.push(strategy === "sse" ? statusStream([DONE]) : completed());
    const oops = new Error(`run ${run}`);
    const results: string[] = [];
    let requestsAtThrow = -1;
    const throwAt = 1 + Math.floor(random() * 6);
    const fixture = setup(steps, {
      strategy,
      maxRetries: 100,
      onUpdate: (update) => {
        results.push(update.result);
        if (results.length === throwAt) {
          requestsAtThrow = fixture.requests.length;
          throw oops;
        }
      },
    });
    const outcome = await fixture.client.waitForJob("j").then(
      (final) => final,
      (error) => error,
    );
    // Nothing follows the final update, not even itself.
    assert.ok(!results.slice(0, -1).includes("completed"), `run ${run}`);
    if (requestsAtThrow === -1) {
      // It never threw: the final came first.
      assert.equal(outcome.result, "completed", `run ${run}`);
      continue;
    }
    assert.equal(outcome, oops, `run ${run}`);
    assert.equal(results.length, throwAt, `run ${run}: an update after it`);
    assert.equal(fixture.requests.length, requestsAtThrow, `run ${run}`);
    assert.equal(fixture.clock.timers, 0);
  }
});
