// Whether two learned schedules estimate the same durations, to within
// rounding: a wait's weight carried from another schedule is one power of
// the decay, where a schedule that saw it decayed it tick by tick.

import assert from "node:assert/strict";
import type { LearnedSchedule } from "../../timing/learned_schedule.ts";

const PROBABILITIES = [0.05, 0.25, 0.5, 0.75, 0.9, 0.99];

/** Fails unless `actual`'s quantiles are `expected`'s, to within 1e-9. */
export function assertSameEstimate(
  actual: LearnedSchedule,
  expected: LearnedSchedule,
  label: string,
): void {
  for (const p of PROBABILITIES) {
    const a = actual.quantile(p)!;
    const e = expected.quantile(p)!;
    assert.ok(Math.abs(a - e) <= 1e-9 * e, `${label}: p${p} ${a} vs ${e}`);
  }
}
