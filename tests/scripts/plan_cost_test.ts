import assert from "node:assert/strict";
import { planCost, planCostLines } from "../../scripts/_plan_cost.ts";

Deno.test("planCost() times observations at each checkpoint, through the public API", () => {
  const costs = planCost({ checkpoints: [20, 50], window: 10 });
  assert.deepEqual(costs.map((cost) => cost.observations), [20, 50]);
  for (const { microsPerObservation } of costs) {
    assert.ok(
      Number.isFinite(microsPerObservation) && microsPerObservation > 0,
      `${microsPerObservation}`,
    );
  }
});

Deno.test("planCostLines() prints one row per checkpoint", () => {
  const lines = planCostLines([
    { observations: 1000, microsPerObservation: 12.345 },
    { observations: 100_000, microsPerObservation: 9 },
  ]);
  assert.deepEqual(lines.slice(-2), ["| 1,000 | 12.3 |", "| 100,000 | 9.0 |"]);
});
