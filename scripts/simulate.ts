/**
 * The learned schedule's targets in virtual time: on every named workload,
 * at full and `--quick` size, its p95 latency against the seed backoff's
 * and its requests against the seed's; then the same planner's figures with
 * the true distribution of durations known (the lower bound of learning).
 * Exits with 1 if a target is missed.
 *
 * Usage: deno task simulate [--seed N]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { learnedTargetLines, learnedTargets } from "./_bench_targets.ts";
import { dpBoundLines } from "./_dp_bound.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { seed: { type: "string", default: "1" } },
});
const seed = Number(values.seed);
if (!Number.isSafeInteger(seed)) {
  throw new RangeError(
    `Cannot simulate as '--seed' must be an integer: current value is ${values.seed}`,
  );
}
let met = true;
for (const size of ["full", "quick"] as const) {
  console.log(learnedTargetLines(size, seed).join("\n") + "\n");
  console.log(dpBoundLines(size, seed).join("\n") + "\n");
  met &&= learnedTargets(size, seed).met;
}
if (!met) Deno.exitCode = 1;
