import assert from "node:assert/strict";
import { LocalShare } from "../../redis/local_share.ts";
import {
  freeAtLoss,
  localShare,
  SHARED_SHAPE,
  WINDOW,
} from "../../redis/budget_shape.ts";
import type { Ticket } from "../../redis/ticket.ts";
import { MemoryBudget } from "../../client/budget.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { seededRandom } from "../../util/random.ts";

/** The most requests in any window of `window` ms. */
function busiest(times: number[], window = 1000): number {
  const sorted = times.toSorted((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= window) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** A place taken from Redis, which a local share may take over unsent. */
interface Place {
  ticket: unknown;
  local?: Ticket;
}

/**
 * One process: its sends, its places not sent, when it last took a place
 * from Redis, its share once Redis is lost.
 */
interface Process {
  sends: number[];
  unsent: Set<Place>;
  asked?: number;
  share?: LocalShare;
}

/** When a place Redis handed out began to count, and when it stopped. */
interface Counted {
  from: number;
  to: number;
}

/**
 * `processes` processes take places from a budget counted as Redis counts
 * with callers that send each a while after its place, mostly at once,
 * sometimes late; `lose` settles at the loss, after which each process goes
 * on on its local share until `end`. Returns the processes and every send.
 */
async function run(
  random: () => number,
  clock: FakeClock,
  budget: number,
  processes: number,
  lose: Promise<void>,
  end: number,
): Promise<{ all: Process[]; sends: number[] }> {
  const redis = new MemoryBudget(budget, clock, SHARED_SHAPE);
  const share = localShare(
    { maxRequestsPerSecond: budget, fallbackRequestsPerSecond: undefined },
    processes,
  );
  const heavy = Math.floor(random() * processes);
  const all: Process[] = Array.from(
    { length: processes },
    () => ({ sends: [], unsent: new Set() }),
  );
  const lost = new AbortController();
  const sends: number[] = [];
  // Every place Redis handed out, to know what its window held when.
  const counted: Counted[] = [];
  const held = (at: number) =>
    counted.filter(({ from, to }) => from <= at && at < to).length;
  lose.then(() => {
    const now = clock.now();
    for (const process of all) {
      const places = [...process.unsent];
      const tickets = places.map(() => ({ id: "", sent: false }) as Ticket);
      const ages = process.sends.filter((at) => at > now - WINDOW)
        .map((at) => now - at);
      const free = process.asked === undefined ? 0 : freeAtLoss(
        budget,
        processes,
        held(process.asked),
        now - process.asked,
      );
      process.share = new LocalShare(share, free, ages, tickets, clock);
      places.forEach((place, i) => place.local = tickets[i]);
    }
    lost.abort();
  });
  const caller = async (process: Process) => {
    while (clock.now() < end) {
      const budgetNow = process.share?.budget ?? redis;
      const place: Place = { ticket: undefined };
      try {
        place.ticket = await budgetNow.acquire(
          budgetNow === redis ? lost.signal : undefined,
        );
      } catch {
        continue;
      }
      // What Redis counts of its place: from now until it is given back,
      // or a window after its request (held once a local share took it).
      const count: Counted = { from: clock.now(), to: Infinity };
      if (budgetNow === redis) {
        process.unsent.add(place);
        process.asked = clock.now();
        counted.push(count);
      }
      await clock.sleep(random() < 0.1 ? random() * 300 : random() * 5);
      process.unsent.delete(place);
      const local = place.local?.local;
      const onRedis = budgetNow === redis && local === undefined;
      const owner = local?.budget ?? budgetNow;
      const ticket = local?.place ?? place.ticket;
      if (random() < 0.05) {
        if (onRedis) count.to = clock.now();
        owner.done(ticket);
        continue;
      }
      if (onRedis) count.to = clock.now() + WINDOW;
      sends.push(clock.now());
      process.sends.push(clock.now());
      owner.sent(ticket);
      owner.done(ticket);
    }
  };
  // Before the loss one process asks for most places; after it, each as
  // many as it can.
  const callers = (count: number) =>
    all.flatMap((process, i) =>
      Array.from(
        { length: i === heavy ? Math.ceil(random() * budget) : count },
        () => caller(process),
      )
    );
  const before = callers(Math.floor(random() * 3));
  await lose;
  await Promise.all([...before, ...callers(budget)]);
  for (const process of all) process.share?.stop();
  return { all, sends };
}

Deno.test("a local share that takes over from Redis goes on at once and keeps every second to the budget, however uneven the processes were", async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const random = seededRandom(seed);
    const budget = 10 + Math.floor(random() * 150);
    const processes = 1 + Math.floor(random() * 5);
    const clock = new FakeClock();
    const start = clock.now();
    const lostAt = start + 1500 + random() * 1500;
    const { all, sends } = await run(
      random,
      clock,
      budget,
      processes,
      clock.sleep(lostAt - start),
      lostAt + 2.5 * WINDOW,
    );
    const context = `seed ${seed}: budget ${budget}, ${processes} processes`;
    const most = busiest(sends);
    assert.ok(most <= budget, `${context}: ${most} in a second`);
    // No hold-off: a full queue goes on within two slices of the loss (a
    // slice for its place, and a while to its send), and every process sends
    // on its share once its other places are free.
    const first = Math.min(...sends.filter((at) => at >= lostAt));
    assert.ok(
      first - lostAt < WINDOW / 5,
      `${context}: after ${first - lostAt}`,
    );
    for (const process of all) {
      assert.ok(process.sends.some((at) => at > lostAt + WINDOW), context);
    }
    assert.equal(clock.timers, 0);
  }
});
