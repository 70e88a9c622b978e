import assert from "node:assert/strict";
import { freeAtLoss, localShare } from "../../redis/budget_shape.ts";

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

Deno.test("freeAtLoss() is a process's part of the places free when it last asked, less a slice's share per slice begun since", () => {
  // 500 a second, 4 processes: 300 free, less 50 Redis may have handed out
  // in the same slice, or 100 two slices on; none once it may be full.
  assert.equal(freeAtLoss(500, 4, 200, 0), 62);
  assert.equal(freeAtLoss(500, 4, 200, 101), 62);
  assert.equal(freeAtLoss(500, 4, 200, 102), 50);
  assert.equal(freeAtLoss(500, 4, 450, 0), 0);
  assert.equal(freeAtLoss(500, 4, 0, 1000), 0);
  // A tenth of the processes when Redis counted none; whole places.
  assert.equal(freeAtLoss(20, 0, 0, 0), 1);
  assert.equal(freeAtLoss(1, 1, 0, 0), 0);
});
