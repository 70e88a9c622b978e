// The flags of `deno task bench`, parsed and checked apart from the run so
// that each can be tested without one.

import { parseArgs } from "node:util";
import { joinNegativeValues } from "../simulator/cli_args.ts";
import { positiveInteger, positiveNumber } from "./_flags.ts";
import { type DialectName, PRESETS } from "../protocol/dialects/mod.ts";
import { type BenchStrategy, STRATEGIES } from "./_strategies.ts";
import { LEARNED_TARGETS_HELP } from "./_bench_targets.ts";
import { type NamedWorkload, namedWorkload, WORKLOADS } from "./_workload.ts";

/** The benchmark's `--help`. */
export const BENCH_HELP: string = `Usage: deno task bench [options]

Runs every waiting strategy on the same seeded workload against the simulator
and prints requests per job and detection latency (p50/p95/p99) as a table.
The polling strategies run together against --legacy, then long-poll, SSE and
each webhook strategy one at a time against the full simulator, so that their
millisecond latencies are their own (lognormal: about 4 min, --quick about
50 s; it prints its estimate for the workload first).
The webhook strategies' waits listen to a receiver on a loopback port that the
simulator calls back, signed with a secret of the run, and poll every 60 s
(scaled) as the safety net; \`webhook-20%-dropped\` runs against a simulator
that drops a fifth of its callbacks (--webhook-drop-rate 0.2).

Time scale: the run is sped up by --time-scale, every job's duration and
every delay of every strategy multiplied by it, our own and the other
libraries' alike (@smithy/util-waiter, p-retry and p-wait-for sleep with the
real setTimeout, so they run in scaled real time against the simulator and
are given their delays in real seconds times the scale). The table, the
plot and the JSON give latencies in the workload's real time: one a poll
found is unscaled (the measured latency divided by the scale); one a push
brought (a held long-poll, an event stream, a webhook) is the transport's
own time, which does not shrink with the scale, and is shown as measured.

Then the issue's targets for the learned schedule, on every named workload
in virtual time (no server, requests take no time), cold started but for
the warmed batch, at each workload's full size (--quick: its quick size),
the learned schedule's jitter seeded by --seed: ${LEARNED_TARGETS_HELP}
\`learned-target\` is aimed the same way
in the run itself (at the seed backoff's p95 on the run's jobs in virtual
time) and its figures checked against \`seed-backoff\`'s.

Options:
  --quick             fewer jobs: 200, or 100 for the batch
  --jobs N            number of jobs (default: the workload's, 1000 or for
                      the batch 300)
  --time-scale X      factor on every duration and delay (default 0.05:
                      a 10 s job takes 500 ms)
  --workload NAME     the workload of the run (default lognormal):
${
  WORKLOADS.map((w) => `                        ${w.name}: ${w.text}`).join(
    "\n",
  )
}
  --seed N            seed of the workload and of all jitter (default 1)
  --dialect NAME      the API the polling phase speaks, still without hints
                      (${Object.keys(PRESETS).join(", ")};
                      default video-status): the waiting policy is the same
                      whatever the wire
  --receiver-hmac H   how the webhook strategies' receiver computes its
                      HMAC: webcrypto (default, the receiver's own) or node
                      (node:crypto's, on the receiver's thread: its
                      \`hmac\` option)
  --strategies IDS    comma-separated subset of: ${
  STRATEGIES.map((s) => s.id).join(", ")
}
  --json FILE         also write the figures as JSON to FILE
  --plot FILE         also draw requests per job against p95 latency as SVG
  -h, --help          show this help
`;

/** How the webhook strategies' receiver may compute its HMAC. */
export const RECEIVER_HMACS = ["webcrypto", "node"] as const;

/** One of {@linkcode RECEIVER_HMACS}. */
export type ReceiverHmac = typeof RECEIVER_HMACS[number];

/** What a run of the benchmark is asked to do. */
export interface BenchArgs {
  /** Whether `--quick` was given: the quick sizes. */
  quick: boolean;
  /** Number of jobs of the run. */
  count: number;
  /** Factor on every duration and delay. */
  timeScale: number;
  /** Seed of the workload and of all jitter. */
  seed: number;
  /** The workload of the run. */
  named: NamedWorkload;
  /** The API the polling phase speaks. */
  dialect: DialectName;
  /** How the webhook strategies' receiver computes its HMAC. */
  receiverHmac: ReceiverHmac;
  /** The strategies to run, in the order of the table. */
  chosen: readonly BenchStrategy[];
  /** Where to write the JSON figures, if anywhere. */
  json?: string;
  /** Where to draw the plot, if anywhere. */
  plot?: string;
}

/**
 * Parses the benchmark's flags.
 *
 * @returns The run's settings, or "help" for `--help`.
 * @throws {RangeError} For a value out of range or not among the choices.
 * @throws {TypeError} For an unknown flag or one missing its value.
 */
export function parseBenchArgs(args: readonly string[]): BenchArgs | "help" {
  const { values } = parseArgs({
    args: joinNegativeValues([...args], [
      "jobs",
      "time-scale",
      "workload",
      "seed",
      "strategies",
      "dialect",
      "receiver-hmac",
      "json",
      "plot",
    ]),
    options: {
      quick: { type: "boolean", default: false },
      jobs: { type: "string" },
      "time-scale": { type: "string", default: "0.05" },
      workload: { type: "string", default: "lognormal" },
      seed: { type: "string", default: "1" },
      strategies: { type: "string" },
      dialect: { type: "string", default: "video-status" },
      "receiver-hmac": { type: "string", default: "webcrypto" },
      json: { type: "string" },
      plot: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return "help";
  const named = namedWorkload(values.workload);
  if (named === undefined) {
    throw new RangeError(
      `Cannot run the benchmark as '--workload' must be one of ${
        WORKLOADS.map((candidate) => candidate.name).join(", ")
      }: current value is ${values.workload}`,
    );
  }
  const quick = values.quick;
  const count = values.jobs === undefined
    ? named.count[quick ? "quick" : "full"]
    : positiveInteger("--jobs", values.jobs);
  const timeScale = positiveNumber("--time-scale", values["time-scale"]);
  const seed = positiveInteger("--seed", values.seed);
  if (!Object.hasOwn(PRESETS, values.dialect)) {
    throw new RangeError(
      `Cannot run the benchmark as '--dialect' must be one of ${
        Object.keys(PRESETS).join(", ")
      }: current value is ${values.dialect}`,
    );
  }
  const dialect = values.dialect as DialectName;
  const receiverHmac = values["receiver-hmac"];
  if (!RECEIVER_HMACS.includes(receiverHmac as ReceiverHmac)) {
    throw new RangeError(
      `Cannot run the benchmark as '--receiver-hmac' must be one of ${
        RECEIVER_HMACS.join(", ")
      }: current value is ${receiverHmac}`,
    );
  }
  const chosen = values.strategies === undefined
    ? STRATEGIES
    : values.strategies.split(",").map((id) => {
      const strategy = STRATEGIES.find((candidate) => candidate.id === id);
      if (strategy === undefined) {
        throw new RangeError(
          `Cannot run the benchmark as '--strategies' must list ids from ${
            STRATEGIES.map((candidate) => candidate.id).join(", ")
          }: current value is ${values.strategies}`,
        );
      }
      return strategy;
    });
  return {
    quick,
    count,
    timeScale,
    seed,
    named,
    dialect,
    receiverHmac: receiverHmac as ReceiverHmac,
    chosen,
    json: values.json,
    plot: values.plot,
  };
}
