/**
 * The demo: starts the simulator on a free port, waits for its job with the
 * client and prints the seed's log lines as they happen.
 *
 * Run `deno task demo --help` for its flags.
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import {
  type DialectName,
  type FinalStatus,
  PRESETS,
  type RetryEvent,
  type StatusUpdate,
  type Strategy,
  VideoStatusClient,
} from "../mod.ts";
import { serve } from "../server.ts";
import {
  MAX_JOB_DURATION,
  NUMBER_RULES,
  type NumberRule,
} from "../simulator/options.ts";
import {
  firstLine,
  joinNegativeValues,
  parseNumberFlag,
} from "../simulator/cli_args.ts";

/** Options of {@linkcode runDemo}. */
export interface DemoOptions {
  /**
   * The API the simulator speaks and the client reads; with an auth header,
   * both use a demo key. @default {"video-status"}
   */
  dialect?: DialectName;
  /** How the client follows the job. @default {"poll"} */
  strategy?: Strategy;
  /** Shortest duration of the job, in milliseconds. @default {2000} */
  minDuration?: number;
  /** Longest duration of the job, in milliseconds. @default {5000} */
  maxDuration?: number;
  /** Probability that the job ends in `error`. @default {0.1} */
  errorRate?: number;
  /** Seed of the simulator's random draws. @default {undefined} */
  seed?: number;
  /** Where each log line goes. @default {console.log} */
  log?: (line: string) => void;
  /** Aborts the demo. */
  signal?: AbortSignal;
}

/**
 * The log line for an update, in the seed's words; a pending one says how
 * far the job is when the update has `progress`.
 *
 * @example
 * ```ts
 * import { describeUpdate } from "./demo.ts";
 * import assert from "node:assert/strict";
 *
 * const update = {
 *   result: "pending", status: "in_progress", body: {}, payload: null, progress: 0.42,
 *   attempt: 1, elapsed: 0, nextDelay: 1200, source: "poll", url: "http://x.test/status",
 * } as const;
 * assert.equal(describeUpdate(update), "⏳ Status: pending (42 %). Retrying in 1.2 s...");
 * ```
 *
 * @param update A status update.
 * @returns One line.
 */
export function describeUpdate(update: StatusUpdate): string {
  switch (update.result) {
    case "completed":
      return "✅ Video translation completed!";
    case "error":
      return "❌ Video translation failed.";
  }
  // The seed's line, with how far the job is when the answer says.
  const status = update.progress === undefined
    ? "⏳ Status: pending."
    : `⏳ Status: pending (${Math.round(update.progress * 100)} %).`;
  if (update.nextDelay === undefined) {
    return `${status} Waiting for the server to push a change...`;
  }
  if (update.source === "long-poll") {
    return `${status} Asking the server to answer when it changes...`;
  }
  return `${status} Retrying in ${seconds(update.nextDelay)} s...`;
}

/**
 * The log line for a failed request that will be retried.
 *
 * @param event The retry.
 * @returns One line.
 */
export function describeRetry(event: RetryEvent): string {
  const reason = event.error instanceof Error
    ? event.error.message
    : String(event.error);
  return `⚠️ Request failed (${reason}). Retrying in ${
    seconds(event.nextDelay)
  } s...`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/**
 * Starts the simulator on a free port, waits for its default job with
 * `getStatus()`, logs every step and shuts the simulator down.
 *
 * @example
 * ```ts ignore
 * import { runDemo } from "./scripts/demo.ts";
 *
 * const status = await runDemo({ minDuration: 500, maxDuration: 500, errorRate: 0 });
 * ```
 *
 * @param options The demo's settings.
 * @returns The final status.
 */
export async function runDemo(options: DemoOptions = {}): Promise<FinalStatus> {
  const {
    strategy = "poll",
    dialect = "video-status",
    minDuration = 2000,
    maxDuration = 5000,
    errorRate = 0.1,
    seed,
    log = console.log,
    signal,
  } = options;
  // A key only the demo knows, to show the dialect's auth header at work.
  const apiKey = PRESETS[dialect].authHeader === undefined
    ? undefined
    : crypto.randomUUID();
  await using server = await serve({
    port: 0,
    dialect,
    apiKey,
    minDuration,
    maxDuration,
    errorRate,
    seed,
  });
  const client = new VideoStatusClient({
    serverUrl: server.url,
    dialect,
    apiKey,
    maxRetries: 5,
    strategy,
    onUpdate: (update) => log(describeUpdate(update)),
    onRetry: (event) => log(describeRetry(event)),
  });
  const status = await client.getStatus({ signal });
  log(`Final Status: ${status}`);
  return status;
}

const STRATEGIES = ["poll", "auto", "long-poll", "sse", "websocket"];

// The dialects' names, three to a line of the help's option column.
const DIALECT_NAMES = Object.keys(PRESETS).reduce(
  (text, name, i) =>
    text + (i === 0 ? "" : i % 3 === 0 ? `,\n${" ".repeat(26)}` : ", ") + name,
  "",
);

const HELP = `Usage: deno task demo [options]

Starts the simulator on a free port, waits for its job with the client and
prints each step.

Options:
  --strategy NAME         ${STRATEGIES.join(", ")} (default: poll)
  --dialect NAME          the API the simulator speaks and the client reads
                          (default: video-status); progress is printed
                          where the API reports it. One of:
                          ${DIALECT_NAMES}
  --min-duration SECONDS  shortest duration of the job (default: 2)
  --max-duration SECONDS  longest duration of the job (default: 5)
  --error-rate P          probability, 0 to 1, that the job fails (default: 0.1)
  --seed N                seed for reproducible random draws (default: none)
  -h, --help              show this help
`;

const ACTION = "run the demo";
const SECONDS: NumberRule = {
  min: 0,
  max: MAX_JOB_DURATION / 1000,
  integer: false,
  noun: "a number of seconds",
};

function fail(message: string): number {
  console.error(`demo: ${message} (see --help)`);
  return 2;
}

async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(args, [
        "strategy",
        "dialect",
        "min-duration",
        "max-duration",
        "error-rate",
        "seed",
      ]),
      options: {
        strategy: { type: "string", default: "poll" },
        dialect: { type: "string", default: "video-status" },
        "min-duration": { type: "string", default: "2" },
        "max-duration": { type: "string", default: "5" },
        "error-rate": { type: "string", default: "0.1" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    return fail(firstLine((error as Error).message));
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!STRATEGIES.includes(values.strategy)) {
    return fail(
      `Cannot ${ACTION} as '--strategy' must be one of ${
        STRATEGIES.join(", ")
      }: current value is ${JSON.stringify(values.strategy)}`,
    );
  }
  if (!Object.hasOwn(PRESETS, values.dialect)) {
    return fail(
      `Cannot ${ACTION} as '--dialect' must be one of ${
        Object.keys(PRESETS).join(", ")
      }: current value is ${JSON.stringify(values.dialect)}`,
    );
  }
  let minDuration, maxDuration, errorRate, seed;
  try {
    minDuration = parseNumberFlag(
      values["min-duration"],
      "--min-duration",
      SECONDS,
      ACTION,
    ) *
      1000;
    maxDuration = parseNumberFlag(
      values["max-duration"],
      "--max-duration",
      SECONDS,
      ACTION,
    ) *
      1000;
    errorRate = parseNumberFlag(
      values["error-rate"],
      "--error-rate",
      NUMBER_RULES.errorRate!,
      ACTION,
    );
    seed = values.seed === undefined
      ? undefined
      : parseNumberFlag(values.seed, "--seed", NUMBER_RULES.seed!, ACTION);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (minDuration > maxDuration) {
    return fail(
      `Cannot ${ACTION} as '--min-duration' must not exceed '--max-duration'`,
    );
  }
  const controller = new AbortController();
  const stop = () => controller.abort(new Error("Interrupted"));
  process.once("SIGINT", stop);
  try {
    await runDemo({
      strategy: values.strategy as Strategy,
      dialect: values.dialect as DialectName,
      minDuration,
      maxDuration,
      errorRate,
      seed,
      signal: controller.signal,
    });
    return 0;
  } catch (error) {
    console.error(`demo: ${(error as Error).message}`);
    return 1;
  } finally {
    process.off("SIGINT", stop);
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
