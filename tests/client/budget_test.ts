import assert from "node:assert/strict";
import { MemoryBudget } from "../../client/budget.ts";
import type { Clock } from "../../timing/clock.ts";
import { seededRandom } from "../../util/random.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { json, scriptedFetch } from "../../testing/scripted_fetch.ts";
import { VideoStatusClient } from "../../client.ts";
import type { RequestBudget } from "../../client/request_budget.ts";

/** The most requests in any window of `window` ms. */
function busiest(times: number[], window = 1000): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= window) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** A budget of one request a second, on a clock that moves when told. */
function oneASecond(): {
  clock: FakeClock;
  budget: MemoryBudget;
  start: number;
} {
  const clock = new FakeClock({ autoAdvance: false });
  return { clock, budget: new MemoryBudget(1, clock), start: clock.now() };
}

/** Takes a place and sends at once, resolving with the time it went. */
async function sendNow(budget: MemoryBudget, clock: Clock): Promise<number> {
  budget.sent(await budget.acquire());
  return clock.now();
}

Deno.test("MemoryBudget lets a burst up to the budget go, then one as each leaves the window", async () => {
  const clock = new FakeClock();
  const budget = new MemoryBudget(3, clock);
  const start = clock.now();
  const released: [number, number][] = [];
  await Promise.all(
    [0, 1, 2, 3, 4, 5, 6].map((i) =>
      sendNow(budget, clock).then((at) => released.push([i, at - start]))
    ),
  );
  assert.deepEqual(released, [
    [0, 0],
    [1, 0],
    [2, 0],
    [3, 1001],
    [4, 1001],
    [5, 1001],
    [6, 2002],
  ]);
  assert.equal(clock.timers, 0);
});

Deno.test("MemoryBudget below one a second spaces requests", async () => {
  const clock = new FakeClock();
  const budget = new MemoryBudget(0.5, clock);
  const start = clock.now();
  const times: number[] = [];
  await Promise.all(
    [0, 1, 2].map(() =>
      sendNow(budget, clock).then((at) => times.push(at - start))
    ),
  );
  assert.deepEqual(times, [0, 2001, 4002]);
});

/** A clock whose timers fire as late as a seeded random stall says. */
function stallingClock(seed: number): Clock {
  const random = seededRandom(seed);
  let now = 0;
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        const stall = random() < 0.2 ? random() * 3000 : random() * 5;
        const timer = setTimeout(() => {
          now += ms + stall;
          resolve();
        }, 0);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(signal.reason);
        }, { once: true });
      }),
  };
}

Deno.test("MemoryBudget never exceeds the budget in any second, however late its timer fires", async () => {
  for (const seed of [1, 2, 3]) {
    const clock = stallingClock(seed);
    const budget = new MemoryBudget(5, clock);
    const times: number[] = [];
    await Promise.all(
      Array.from(
        { length: 60 },
        () => sendNow(budget, clock).then((at) => times.push(at)),
      ),
    );
    assert.equal(times.length, 60);
    assert.ok(
      busiest(times) <= 5,
      `seed ${seed}: ${busiest(times)} in a second`,
    );
  }
});

Deno.test("MemoryBudget gives up an aborted waiter's place", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const budget = new MemoryBudget(1, clock);
  await sendNow(budget, clock);
  const controller = new AbortController();
  const order: string[] = [];
  const first = budget.acquire(controller.signal).then(
    () => order.push("first"),
    (reason) => order.push(`first: ${reason}`),
  );
  const second = budget.acquire().then(() => order.push("second"));
  controller.abort("gone");
  await first;
  assert.deepEqual(order, ["first: gone"]);
  await clock.tick(1001);
  await second;
  assert.deepEqual(order, ["first: gone", "second"]);
  assert.equal(clock.timers, 0);
  await assert.rejects(
    budget.acquire(AbortSignal.abort("late")),
    (e) => e === "late",
  );
});

Deno.test("MemoryBudget stops its timer when every waiter leaves", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const budget = new MemoryBudget(1, clock);
  await sendNow(budget, clock);
  const controller = new AbortController();
  const waiting = budget.acquire(controller.signal);
  assert.equal(clock.timers, 1);
  controller.abort(new Error("stop"));
  await assert.rejects(waiting, { message: "stop" });
  assert.equal(clock.timers, 0);
  assert.equal(budget.waiting, 0);
});

Deno.test("MemoryBudget counts a slot from when its request went, and keeps it from another until then, however late", async () => {
  const { clock, budget, start } = oneASecond();
  const ticket = await budget.acquire();
  let releasedAt = -1;
  const next = budget.acquire().then(() => releasedAt = clock.now() - start);
  // The request is slow to go (a stalled event loop, say).
  await clock.tick(5000);
  assert.equal(releasedAt, -1, "handed the slot out before its request went");
  budget.sent(ticket);
  budget.done(ticket);
  await clock.tick(1000);
  assert.equal(
    releasedAt,
    -1,
    "released a second after the slot, not the send",
  );
  await clock.tick(1);
  await next;
  assert.equal(releasedAt, 6001);
  assert.equal(clock.timers, 0);
});

Deno.test("MemoryBudget frees at once a place whose request never went", async () => {
  const { clock, budget, start } = oneASecond();
  const ticket = await budget.acquire();
  const next = budget.acquire().then(() => clock.now() - start);
  budget.done(ticket);
  // Done twice, or sent after done: the place is not given twice.
  budget.done(ticket);
  budget.sent(ticket);
  assert.equal(await next, 0);
  assert.equal(budget.waiting, 0);
  assert.equal(clock.timers, 0);
});

/**
 * One of many callers sharing a budget, for `rounds` requests: it waits a
 * while, takes a place (or gives up waiting), then after a delay that may
 * exceed the window sends, or does not, and is done with the place. Notes
 * when each request went in `sends`, and each place was handed out in
 * `places`.
 */
async function caller(
  budget: MemoryBudget,
  clock: FakeClock,
  random: () => number,
  sends: number[],
  places: number[] = [],
): Promise<void> {
  for (let round = 0; round < 6; round++) {
    await clock.sleep(random() * 1500);
    const giveUp = new AbortController();
    const patience = new AbortController();
    if (random() < 0.2) {
      clock.sleep(random() * 1500, patience.signal)
        .then(() => giveUp.abort("gone"), () => {});
    }
    let ticket: number;
    try {
      ticket = await budget.acquire(giveUp.signal);
      places.push(clock.now());
    } catch {
      continue;
    } finally {
      patience.abort();
    }
    try {
      // From the place to the request: at once, or well past the window.
      await clock.sleep(random() < 0.3 ? random() * 2500 : 0);
      if (random() < 0.2) continue;
      sends.push(clock.now());
      budget.sent(ticket);
      await clock.sleep(random() * 100);
    } finally {
      budget.done(ticket);
    }
  }
}

Deno.test("MemoryBudget never lets a second hold more sends than the budget, whatever happens between a place and its send", async () => {
  for (let seed = 1; seed <= 8; seed++) {
    const random = seededRandom(seed);
    const clock = new FakeClock();
    const capacity = 1 + Math.floor(random() * 4);
    const budget = new MemoryBudget(capacity, clock);
    const sends: number[] = [];
    await Promise.all(
      Array.from(
        { length: 3 * capacity },
        () => caller(budget, clock, random, sends),
      ),
    );
    assert.ok(sends.length >= 8 * capacity, `seed ${seed}: ${sends.length}`);
    assert.ok(
      busiest(sends) <= capacity,
      `seed ${seed}: ${busiest(sends)} sends in a second, budget ${capacity}`,
    );
    assert.equal(budget.waiting, 0);
    assert.equal(clock.timers, 0);
  }
});

Deno.test("MemoryBudget cut into slices holds each second's sends to the budget and each slice's places to its share, whatever happens between a place and its send", async () => {
  for (let seed = 1; seed <= 8; seed++) {
    const random = seededRandom(seed);
    const clock = new FakeClock();
    const capacity = 6 + Math.floor(random() * 10);
    const slices = 2 + Math.floor(random() * 4);
    const window = 1001 + Math.floor(random() * 50);
    const budget = new MemoryBudget(capacity, clock, { window, slices });
    const sends: number[] = [];
    const places: number[] = [];
    await Promise.all(
      Array.from(
        { length: 3 * capacity },
        () => caller(budget, clock, random, sends, places),
      ),
    );
    sends.sort((a, b) => a - b);
    const share = Math.floor(capacity / slices);
    assert.ok(sends.length >= 8 * capacity, `seed ${seed}: ${sends.length}`);
    // (A hair under each window: a send due exactly one slice after another
    // may subtract to a hair less than the slice in floating point.)
    assert.ok(busiest(sends, window - 1e-6) <= capacity, `seed ${seed}`);
    const most = busiest(places, window / slices - 1e-6);
    assert.ok(most <= share, `seed ${seed}: ${most} in a slice of ${share}`);
    assert.equal(budget.waiting, 0);
    assert.equal(clock.timers, 0);
  }
});

Deno.test("MemoryBudget that takes over counts the sends it is given: with them no second holds more than the budget, nor slice more places than its share, whatever they were", async () => {
  for (let seed = 1; seed <= 8; seed++) {
    const random = seededRandom(seed);
    const clock = new FakeClock();
    const capacity = 6 + Math.floor(random() * 10);
    const slices = 1 + Math.floor(random() * 4);
    const window = 1001 + Math.floor(random() * 50);
    const shape = { window, slices };
    // Sends made on another budget before this one: a full queue, cut short.
    const before = new MemoryBudget(capacity, clock, shape);
    const sent = await Promise.all(
      Array.from(
        { length: Math.floor(random() * 3 * capacity) },
        () => sendNow(before, clock),
      ),
    );
    await clock.sleep(random() * window);
    const budget = new MemoryBudget(capacity, clock, { ...shape, sent });
    const sends: number[] = [];
    const places: number[] = [];
    await Promise.all(
      Array.from(
        { length: capacity },
        () => caller(budget, clock, random, sends, places),
      ),
    );
    const all = [...sent, ...sends].sort((a, b) => a - b);
    assert.ok(busiest(all, window - 1e-6) <= capacity, `seed ${seed}`);
    if (slices > 1) {
      // The sends given went at once from their places.
      const allPlaces = [...sent, ...places].sort((a, b) => a - b);
      const share = Math.floor(capacity / slices);
      const most = busiest(allPlaces, window / slices - 1e-6);
      assert.ok(most <= share, `seed ${seed}: ${most} in a slice of ${share}`);
    }
    assert.equal(clock.timers, 0);
  }
});

Deno.test("MemoryBudget that takes over lets go at once what the sends it is given leave of the budget", async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const budget = new MemoryBudget(3, clock, {
    sent: [start - 2000, start - 500],
  });
  const times = await Promise.all([1, 2, 3].map(() => sendNow(budget, clock)));
  assert.deepEqual(times, [start, start, start + 501]);
});

Deno.test("MemoryBudget that takes over goes on at the pace of the sends it is given, and its other places free from notBefore", async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const budget = new MemoryBudget(4, clock, {
    notBefore: start + 1001,
    sent: [start - 900, start - 600],
  });
  const times = await Promise.all(
    [1, 2, 3, 4, 5].map(() => sendNow(budget, clock)),
  );
  assert.deepEqual(times.map((at) => at - start), [101, 401, 1001, 1001, 1102]);
});

Deno.test("MemoryBudget that takes over holds the places handed out before it until their requests go, and counts them from then", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const start = clock.now();
  const budget = new MemoryBudget(2, clock, { held: 2 });
  let next: number | undefined;
  const waiting = budget.acquire().then((ticket) => {
    next = clock.now();
    return ticket;
  });
  await clock.tick(5000);
  assert.equal(next, undefined, "a held place was handed out again");
  // The first goes late, the second is never sent.
  budget.sent(0);
  budget.done(0);
  budget.done(1);
  await clock.tick(1000);
  assert.equal(next, undefined, "a second held two requests");
  await clock.tick(1);
  assert.equal(await waiting, 2);
  assert.equal(next, start + 6001);
  // The unsent place's slot is free: the next goes at once.
  assert.equal(await sendNow(budget, clock), start + 6001);
});

Deno.test("MemoryBudget cut into slices lets a full queue go as an even stream", async () => {
  const clock = new FakeClock();
  const budget = new MemoryBudget(100, clock, { slices: 10 });
  const sends: number[] = [];
  const start = clock.now();
  await Promise.all(
    Array.from({ length: 300 }, () => sendNow(budget, clock)),
  ).then((times) => sends.push(...times));
  // Ten at once, then ten every tenth of the window: 300 take 29 slices.
  assert.equal(busiest(sends, 1), 10);
  assert.equal(sends.filter((at) => at === start).length, 10);
  assert.ok(Math.abs(sends.at(-1)! - start - 29 * 100.1) < 1e-6);
  assert.equal(busiest(sends, 1001), 100);
});

Deno.test("a client's requests take their places in the budget of its budget option", async () => {
  const { fetch } = scriptedFetch([
    json({ result: "pending" }),
    json({ result: "completed" }),
  ]);
  const calls: string[] = [];
  let tickets = 0;
  const budget: RequestBudget = {
    acquire: () => {
      calls.push("acquire");
      return Promise.resolve(++tickets);
    },
    sent: (ticket) => void calls.push(`sent ${ticket}`),
    done: (ticket) => void calls.push(`done ${ticket}`),
  };
  const client = new VideoStatusClient({
    budget,
    fetch,
    clock: new FakeClock(),
    strategy: "poll",
  });
  await client.waitForJob("a1");
  assert.deepEqual(calls, [
    "acquire",
    "sent 1",
    "done 1",
    "acquire",
    "sent 2",
    "done 2",
  ]);
});

Deno.test("a client refuses a budget option without the budget's methods, or beside maxRequestsPerSecond", () => {
  const budget = new MemoryBudget(1, new FakeClock());
  assert.throws(
    () => new VideoStatusClient({ budget, maxRequestsPerSecond: 5 }),
    TypeError,
  );
  assert.throws(
    () =>
      new VideoStatusClient({
        budget: {
          acquire: () => Promise.resolve(1),
        } as unknown as RequestBudget,
      }),
    /'budget' must have the methods acquire\(\), sent\(\), done\(\)/,
  );
  assert.ok(new VideoStatusClient({ budget }));
});
