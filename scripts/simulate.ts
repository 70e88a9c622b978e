/**
 * The learned schedule's targets in virtual time: on every named workload,
 * at full and `--quick` size, its p95 latency against the seed backoff's
 * and its requests against the seed's; then the same planner's figures with
 * the true distribution of durations known (the lower bound of learning).
 * Exits with 1 if a target is missed.
 *
 * Run `deno task simulate --help` for its flags.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { joinNegativeValues } from "../simulator/cli_args.ts";
import {
  LEARNED_TARGETS_HELP,
  learnedTargetLines,
  learnedTargets,
} from "./_bench_targets.ts";
import { dpBoundLines } from "./_dp_bound.ts";
import { positiveInteger, runMain } from "./_flags.ts";

const HELP = `Usage: deno task simulate [options]

Checks the issue's targets for the learned schedule in virtual time (no
server, requests take no time; about 10 s) on every named workload of deno
task bench, cold started but for the warmed batch, at full size and then at
quick size (those of bench and bench --quick), ${LEARNED_TARGETS_HELP}
After each table, the same planner given each workload's true distribution
of durations: the bound of learning. Exits with 1 if a target is missed.

Options:
  --seed N      seed of the workloads and of the learned schedule's fallback
                jitter, a positive integer (default 1, as deno task bench)
  -h, --help    show this help
`;

function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(args, ["seed"]),
    options: {
      seed: { type: "string", default: "1" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return Promise.resolve(0);
  }
  const seed = positiveInteger("--seed", values.seed);
  let met = true;
  for (const size of ["full", "quick"] as const) {
    console.log(learnedTargetLines(size, seed).join("\n") + "\n");
    console.log(dpBoundLines(size, seed).join("\n") + "\n");
    met &&= learnedTargets(size, seed).met;
  }
  return Promise.resolve(met ? 0 : 1);
}

if (import.meta.main) await runMain(main);
