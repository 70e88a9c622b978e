import assert from "node:assert/strict";
import {
  freeAtLoss,
  localShare,
  SLICE,
  UNSEEN,
  type WindowView,
} from "../../redis/budget_shape.ts";

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

/** A view of a window holding `count` places, asked at 0, answered at `answered`. */
function view(
  count: number,
  leaving: number[] = [],
  answered = 0,
): WindowView {
  return { count, leaving, asked: 0, answered };
}

Deno.test("freeAtLoss() is a process's part of the places free when it last asked, less a slice's share per slice begun since", () => {
  // 500 a second, 4 processes: 300 free, less 50 Redis may have handed out
  // in the same slice, or 100 two slices on; none once it may be full.
  assert.equal(SLICE, 102);
  assert.equal(freeAtLoss(500, 4, view(200), 0), 62);
  assert.equal(freeAtLoss(500, 4, view(200), 101), 62);
  assert.equal(freeAtLoss(500, 4, view(200), 102), 50);
  assert.equal(freeAtLoss(500, 4, view(450), 0), 0);
  assert.equal(freeAtLoss(500, 4, view(0), 1000), 0);
  // A tenth of the processes when Redis counted none; whole places.
  assert.equal(freeAtLoss(20, 0, view(0), 0), 1);
  assert.equal(freeAtLoss(1, 1, view(0), 0), 0);
  // Never answered: nothing.
  assert.equal(freeAtLoss(500, 4, UNSEEN, 0), 0);
});

Deno.test("freeAtLoss() counts only the sends still in the window at the loss: those of the slices wholly over since the answer left", () => {
  // The benchmark's loss, seen by a heartbeat 40 ms before: the window
  // holds 60 places, Redis may have handed out a slice's share since.
  assert.equal(freeAtLoss(500, 4, view(60), 40), 97);
  // A full window whose sends leave 100 a slice: 4 slices after the answer
  // 400 have left, and Redis may have handed out 5 slices' shares since.
  const full = [100, 100, 100, 100, 100];
  assert.equal(freeAtLoss(500, 4, view(500, full), 4 * 102), 37);
  // Slices count as over by the answer's clock, grants by the ask's: with
  // the answer 10 ms after the ask, the fourth slice is over at 418 ms.
  assert.equal(freeAtLoss(500, 4, view(500, full, 10), 417), 12);
  assert.equal(freeAtLoss(500, 4, view(500, full, 10), 418), 37);
  // A view a window old is the conservative rule: nothing free at once.
  assert.equal(freeAtLoss(500, 4, view(500, full), 1020), 0);
});
