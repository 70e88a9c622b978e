import assert from "node:assert/strict";
import {
  LATE_SEND,
  localShare,
  SLICES,
  takeOverDelay,
  WINDOW,
} from "../../redis/budget_shape.ts";
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

Deno.test("localShare() is the share set, or the budget divided by the processes (a tenth if none known)", () => {
  assert.equal(
    localShare({ maxRequestsPerSecond: 500, fallbackRequestsPerSecond: 7 }, 4),
    7,
  );
  assert.equal(
    localShare({
      maxRequestsPerSecond: 500,
      fallbackRequestsPerSecond: undefined,
    }, 4),
    125,
  );
  assert.equal(
    localShare({
      maxRequestsPerSecond: 500,
      fallbackRequestsPerSecond: undefined,
    }, 0),
    50,
  );
});

Deno.test("takeOverDelay() waits a whole window for a share set by hand or a budget too small to divide", () => {
  assert.equal(
    takeOverDelay(
      { maxRequestsPerSecond: 500, fallbackRequestsPerSecond: 125 },
      4,
    ),
    WINDOW,
  );
  // 10 a second in 3 processes: each would send one a slice, three in all.
  assert.equal(
    takeOverDelay({
      maxRequestsPerSecond: 10,
      fallbackRequestsPerSecond: undefined,
    }, 3),
    WINDOW,
  );
  assert.equal(
    takeOverDelay({
      maxRequestsPerSecond: 500,
      fallbackRequestsPerSecond: undefined,
    }, 4),
    303,
  );
});

Deno.test("takeOverDelay() keeps every second to the budget across a loss of Redis, for any budget and processes", async () => {
  const slice = Math.ceil(WINDOW / SLICES);
  for (let seed = 1; seed <= 30; seed++) {
    const random = seededRandom(seed);
    const budget = 10 + Math.floor(random() * 400);
    const processes = 1 + Math.floor(random() * 6);
    const rates = {
      maxRequestsPerSecond: budget,
      fallbackRequestsPerSecond: undefined,
    };
    const perSlice = Math.floor(budget / SLICES);
    const clock = new FakeClock();
    const lost = clock.now();
    // The worst Redis allowed before the loss: each slice of the last window
    // held to its share, the last one's granted but sent only after the loss
    // (when `held`), at any moment until LATE_SEND after it.
    const held = random() < 0.5;
    const sends: number[] = [];
    for (let j = held ? 1 : 0; j < SLICES; j++) {
      for (let k = 0; k < perSlice; k++) sends.push(lost - j * slice - 1);
    }
    const wait = takeOverDelay(rates, processes);
    if (held) {
      for (let k = 0; k < perSlice; k++) {
        sends.push(lost + random() * LATE_SEND);
      }
    }
    // Then every process on its share, as fast as the share lets it.
    const share = localShare(rates, processes);
    await Promise.all(Array.from({ length: processes }, async () => {
      const local = new MemoryBudget(share, clock, {
        notBefore: lost + wait,
        window: WINDOW,
        slices: SLICES,
      });
      while (clock.now() < lost + 2 * WINDOW) {
        const ticket = await local.acquire();
        sends.push(clock.now());
        local.sent(ticket);
        local.done(ticket);
      }
    }));
    const most = busiest(sends, 1000);
    assert.ok(
      most <= budget,
      `seed ${seed}: ${most} in a second, budget ${budget}, ${processes} processes, wait ${wait} ms`,
    );
  }
});
