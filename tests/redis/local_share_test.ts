import assert from "node:assert/strict";
import { LocalShare } from "../../redis/local_share.ts";
import {
  freeAtLoss,
  HEARTBEAT,
  localShare,
  SHARED_SHAPE,
  SLICE,
  SLICES,
  UNSEEN,
  WINDOW,
  type WindowView,
} from "../../redis/budget_shape.ts";
import type { Ticket } from "../../redis/ticket.ts";
import { MemoryBudget } from "../../client/budget.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { seededRandom } from "../../util/random.ts";

/** The most requests in any window of `window` ms. */
function busiest(times: number[], window: number): number {
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
 * One process: its sends, its places not sent, what Redis last told it of
 * its window, how often it asks with nothing to queue (never: Infinity),
 * its share once Redis is lost.
 */
interface Process {
  sends: number[];
  unsent: Set<Place>;
  view: WindowView;
  heartbeat: number;
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
 * sometimes late (or, in half the runs, all at once), and some ask Redis on a heartbeat (of their own period);
 * each ask is answered a while after Redis ran it. `lose` settles at the
 * loss, after which each process goes on on its local share until `end`.
 * Returns the processes and every send.
 */
async function run(
  random: () => number,
  clock: FakeClock,
  budget: number,
  processes: number,
  burstAt: number,
  lose: Promise<void>,
  end: number,
): Promise<{ all: Process[]; sends: number[] }> {
  const redis = new MemoryBudget(budget, clock, SHARED_SHAPE);
  const share = localShare(
    { maxRequestsPerSecond: budget, fallbackRequestsPerSecond: undefined },
    processes,
  );
  const heavy = Math.floor(random() * processes);
  const tight = random() < 0.5;
  const periods = [HEARTBEAT, 10 + random() * 2 * WINDOW, Infinity];
  const all: Process[] = Array.from({ length: processes }, () => ({
    sends: [],
    unsent: new Set(),
    view: UNSEEN,
    heartbeat: periods[Math.floor(random() * periods.length)],
  }));
  const lost = new AbortController();
  const sends: number[] = [];
  // Every place Redis handed out, to know what its window held when.
  let counted: Counted[] = [];
  // What Redis tells of its window when it runs an ask now, asked a while
  // before; the process has the answer a while after.
  const ask = (process: Process) => {
    const now = clock.now();
    // (A place that stopped counting never counts again.)
    counted = counted.filter(({ to }) => now < to);
    const inWindow = counted.filter(({ from }) => from <= now);
    const leaving = new Array<number>(SLICES).fill(0);
    for (const { to } of inWindow) {
      if (to !== Infinity) leaving[Math.ceil((to - now) / SLICE) - 1]++;
    }
    const view = {
      count: inWindow.length,
      leaving,
      asked: now - random() * 10,
      answered: now + random() * 10,
    };
    clock.sleep(view.answered - now).then(() => {
      if (!lost.signal.aborted) process.view = view;
    });
  };
  const heartbeat = async (process: Process) => {
    while (process.heartbeat < Infinity && !lost.signal.aborted) {
      await clock.sleep(process.heartbeat);
      if (!lost.signal.aborted) ask(process);
    }
  };
  lose.then(() => {
    const now = clock.now();
    for (const process of all) {
      const places = [...process.unsent];
      const tickets = places.map(() => ({ id: "", sent: false }) as Ticket);
      const ages = process.sends.filter((at) => at > now - WINDOW)
        .map((at) => now - at);
      const free = freeAtLoss(budget, processes, process.view, now);
      process.share = new LocalShare(share, free, ages, tickets, clock);
      places.forEach((place, i) => place.local = tickets[i]);
    }
    lost.abort();
  });
  const caller = async (process: Process, from: number) => {
    await clock.sleep(Math.max(0, from - clock.now()));
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
        counted.push(count);
        ask(process);
      }
      // (Tight: each sends at once, so a full window holds the budget.)
      await clock.sleep(
        tight ? 0 : random() < 0.1 ? random() * 300 : random() * 5,
      );
      process.unsent.delete(place);
      const local = place.local?.local;
      const onRedis = budgetNow === redis && local === undefined;
      const owner = local?.budget ?? budgetNow;
      const ticket = local?.place ?? place.ticket;
      if (!tight && random() < 0.05) {
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
  // Before the loss one process asks for most places, in a burst from
  // `burst` (the others ask a little all along); after it, each as many as
  // it can.
  const callers = (count: number, burst: number) =>
    all.flatMap((process, i) =>
      Array.from(
        {
          length: i === heavy
            ? Math.ceil((0.1 + 0.9 * random()) * budget)
            : count,
        },
        () => caller(process, i === heavy ? burst : clock.now()),
      )
    );
  const before = [
    ...callers(Math.floor(random() * 3), burstAt),
    ...all.map(heartbeat),
  ];
  await lose;
  await Promise.all([...before, ...callers(budget, clock.now())]);
  for (const process of all) process.share?.stop();
  return { all, sends };
}

/**
 * Runs `seeds` losses, each after the busy process's burst began as
 * `burstAt` says (given the loss), and checks that no window of any run
 * held more than the budget and that every process went on on its share.
 * Returns each run's loss and sends.
 */
async function losses(
  seeds: number,
  burstAt: (random: () => number, lostAt: number, start: number) => number,
): Promise<{ context: string; lostAt: number; sends: number[] }[]> {
  const runs = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const random = seededRandom(seed);
    // Half the budgets fill their window exactly: ten full slices.
    const budget = random() < 0.5
      ? 10 * Math.ceil(random() * 15)
      : 10 + Math.floor(random() * 150);
    const processes = 1 + Math.floor(random() * 5);
    const clock = new FakeClock();
    const start = clock.now();
    const lostAt = start + 1500 + random() * 1500;
    const { all, sends } = await run(
      random,
      clock,
      budget,
      processes,
      burstAt(random, lostAt, start),
      clock.sleep(lostAt - start),
      lostAt + 2.5 * WINDOW,
    );
    const context = `seed ${seed}: budget ${budget}, ${processes} processes`;
    // Redis's count, and the shares': no window holds more than the budget
    // (the second that the window's margin rounds to, still less).
    const most = busiest(sends, WINDOW);
    assert.ok(most <= budget, `${context}: ${most} in a second`);
    // Every process sends on its share once its other places are free.
    for (const process of all) {
      assert.ok(process.sends.some((at) => at > lostAt + WINDOW), context);
    }
    assert.equal(clock.timers, 0);
    runs.push({ context, lostAt, sends });
  }
  return runs;
}

Deno.test("a local share that takes over from Redis goes on at once and keeps every second to the budget, however uneven the processes were", async () => {
  // The busy process asks all along.
  const runs = await losses(8, (_random, _lostAt, start) => start);
  for (const { context, lostAt, sends } of runs) {
    // No hold-off: a full queue goes on within two slices of the loss (a
    // slice for its place, and a while to its send).
    const first = Math.min(...sends.filter((at) => at >= lostAt));
    assert.ok(
      first - lostAt < WINDOW / 5,
      `${context}: after ${first - lostAt}`,
    );
  }
});

Deno.test("a local share keeps every second to the budget when Redis goes a few ms after handing a full queue its slice, whatever the age of each process's view", async () => {
  // The busy process starts its burst half a window to a window and a half
  // before the loss, which comes a few ms after a full queue was handed a
  // slice's places: the window is full, or filling, and the views of the
  // processes that asked before may miss that slice.
  await losses(
    12,
    (random, lostAt) =>
      lostAt - Math.ceil(5 + random() * 10) * SLICE - random() * 5,
  );
});
