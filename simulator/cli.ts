/**
 * The command line of the simulation server: parses flags, serves, prints one
 * `Listening on http://HOST:PORT` line, and shuts down cleanly on SIGINT or
 * SIGTERM. Runs under Deno and Node.js.
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { help } from "./cli_help.ts";
import { checkOrder, type NumberRule } from "./number_rule.ts";
import { CONNECTION_RULES, NUMBER_RULES, PORT_RULE } from "./options.ts";
import { PRESETS } from "../protocol/dialects/mod.ts";
import { resolveDialectOptions } from "./dialect_options.ts";
import { serve, type ServeOptions } from "./serve.ts";
import {
  firstLine,
  joinNegativeValues,
  parseNumberFlag,
  parseRangeFlag,
} from "./cli_args.ts";
import { resolveWebhookOptions, WEBHOOK_RULES } from "./webhook_options.ts";
import { show } from "../util/validate.ts";
import { DEFAULT_SECONDS, inSeconds } from "./cli_help.ts";

const ACTION = "start the simulator";

/**
 * How the command is run under Deno, and as the npm package's command.
 *
 * @example
 * ```ts
 * import { DENO_COMMAND } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DENO_COMMAND, "deno run --allow-net server.ts");
 * ```
 */
export const DENO_COMMAND = "deno run --allow-net server.ts";

/** A numeric flag: the option it sets and the unit it is typed in. */
interface NumericFlag {
  /** The option the flag sets. */
  readonly option: keyof ServeOptions;
  /** How many of the option's units one unit of the flag is. */
  readonly scale: number;
  /** The flag's bounds, in the flag's unit. */
  readonly rule: NumberRule;
}

/** Numeric flags by name. */
const NUMERIC_FLAGS: Readonly<Record<string, NumericFlag>> = {
  "min-duration": seconds("minDuration"),
  "max-duration": seconds("maxDuration"),
  "error-rate": same("errorRate"),
  "seed": same("seed"),
  "max-jobs": same("maxJobs"),
  "max-wait": seconds("maxWait"),
  "fault-rate": same("faultRate"),
  "reset-rate": same("resetRate"),
  "rate-limit": same("rateLimit"),
  "header-timeout": seconds("headerTimeout"),
  "idle-timeout": seconds("idleTimeout"),
  "max-connections": same("maxConnections"),
  "shutdown-grace": seconds("shutdownGrace"),
  "webhook-drop-rate": same("webhookDropRate"),
  "webhook-duplicate-rate": same("webhookDuplicateRate"),
};

function ruleOf(option: keyof ServeOptions): NumberRule {
  return NUMBER_RULES[option] ?? CONNECTION_RULES[option] ??
    WEBHOOK_RULES[option]!;
}

/** A flag typed in the option's own unit. */
function same(option: keyof ServeOptions): NumericFlag {
  return { option, scale: 1, rule: ruleOf(option) };
}

/**
 * A flag typed in seconds for an option in milliseconds, as the seed's flags
 * were. An option that takes integer milliseconds takes integer seconds here.
 */
function seconds(option: keyof ServeOptions): NumericFlag {
  const { min, max, integer } = ruleOf(option);
  const noun = integer ? "an integer number of seconds" : "a number of seconds";
  return {
    option,
    scale: 1_000,
    rule: { min: inSeconds(min), max: inSeconds(max), integer, noun },
  };
}

/** The flags of 0.1 that were renamed, so that old callers learn. */
const RENAMED_FLAGS: Readonly<Record<string, string>> = {
  "--min-delay": "--min-duration",
  "--max-delay": "--max-duration",
};

/** The flags that take a value. */
const VALUE_FLAGS = [
  "port",
  "hostname",
  "dialect",
  "api-key",
  "latency",
  "webhook-delay",
  "webhook-secret",
  "webhook-allow-host",
  ...Object.keys(NUMERIC_FLAGS),
];

/** The flags after parsing: where to listen and the simulator's options. */
interface Parsed {
  readonly help: boolean;
  readonly port: number;
  readonly hostname: string;
  readonly options: ServeOptions;
}

/**
 * Runs the simulator's command line until SIGINT or SIGTERM.
 *
 * @example Print the help
 * ```ts ignore
 * import { main } from "./cli.ts";
 *
 * const code = await main(["--help"]);
 * ```
 *
 * @param args The command-line arguments, without the program name.
 * @param command How the user runs the command, for `--help`.
 * @returns The exit code: 0 after a clean shutdown or `--help`, 2 for a bad
 * flag, 1 when the server cannot start.
 */
export async function main(
  args: string[],
  command: string = DENO_COMMAND,
): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseFlags(args);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (parsed.help) {
    console.log(help(command).trimEnd());
    return 0;
  }
  const signals = ["SIGINT", "SIGTERM"] as const;
  let onSignal = (): void => {};
  const stopped = new Promise<void>((resolve) => onSignal = resolve);
  for (const signal of signals) {
    try {
      process.on(signal, onSignal);
    } catch {
      // Not every platform can listen for every signal (SIGTERM on Windows).
    }
  }
  try {
    const server = await serve({
      port: parsed.port,
      hostname: parsed.hostname,
      ...parsed.options,
    }).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `Cannot ${ACTION} on ${parsed.hostname}:${parsed.port}: ${reason}`,
      );
    });
    console.log(`Listening on ${server.url}`);
    await Promise.race([stopped, server.finished]);
    await server.shutdown();
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}

/**
 * Runs {@linkcode main} with the process's arguments and sets the process's
 * exit code: what `server.ts` and the npm package's command do.
 *
 * @example
 * ```ts ignore
 * import { runCli } from "./cli.ts";
 *
 * await runCli();
 * ```
 *
 * @param command How the user runs the command, for `--help`.
 * @returns A promise that resolves once the command line has finished.
 */
export async function runCli(command: string = DENO_COMMAND): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), command);
}

/**
 * Parses and checks the flags.
 *
 * @param args The arguments.
 * @returns The parsed flags.
 * @throws {Error} With a one-line message naming the bad flag.
 */
function parseFlags(args: string[]): Parsed {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(args, VALUE_FLAGS),
      strict: true,
      allowPositionals: false,
      options: {
        "help": { type: "boolean", short: "h" },
        "port": { type: "string" },
        "hostname": { type: "string" },
        "dialect": { type: "string" },
        "api-key": { type: "string" },
        "latency": { type: "string" },
        "webhook-delay": { type: "string" },
        "webhook-secret": { type: "string" },
        "webhook-allow-host": { type: "string", multiple: true },
        "legacy": { type: "boolean" },
        ...Object.fromEntries(
          Object.keys(NUMERIC_FLAGS).map((flag) => [flag, { type: "string" }]),
        ),
      },
    }));
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const flag = /'(-[^' =]*)/.exec(text)?.[1];
    const first = firstLine(text);
    const renamed = RENAMED_FLAGS[flag ?? ""];
    throw new Error(
      renamed !== undefined
        ? `Cannot ${ACTION} as '${flag}' is now '${renamed}'`
        : flag === undefined
        ? `Cannot ${ACTION}: ${first}`
        : `Cannot ${ACTION} as '${flag}' is not valid here: ${first}`,
    );
  }
  const options: Record<string, unknown> = {};
  const typed = new Map<string, number>();
  for (const [flag, { option, scale, rule }] of Object.entries(NUMERIC_FLAGS)) {
    const text = values[flag];
    if (typeof text !== "string") continue;
    const value = parseNumberFlag(text, `--${flag}`, rule, ACTION);
    typed.set(flag, value);
    options[option] = value * scale;
  }
  if (typeof values.latency === "string") {
    [options.minLatency, options.maxLatency] = parseRangeFlag(
      values.latency,
      "--latency",
      NUMBER_RULES.minLatency!,
      ACTION,
    );
  }
  if (typeof values["webhook-delay"] === "string") {
    [options.minWebhookDelay, options.maxWebhookDelay] = parseRangeFlag(
      values["webhook-delay"],
      "--webhook-delay",
      WEBHOOK_RULES.minWebhookDelay!,
      ACTION,
    );
  }
  if (typeof values["webhook-secret"] === "string") {
    options.webhookSecret = values["webhook-secret"];
  }
  if (Array.isArray(values["webhook-allow-host"])) {
    options.webhookAllowHosts = values["webhook-allow-host"];
  }
  // In seconds, as typed, so the message shows the values the user gave.
  checkOrder(
    typed.get("min-duration") ?? DEFAULT_SECONDS.minDuration,
    typed.get("max-duration") ?? DEFAULT_SECONDS.maxDuration,
    "--min-duration",
    "--max-duration",
    ACTION,
  );
  if (values.legacy === true) options.legacy = true;
  if (typeof values.dialect === "string") {
    if (!Object.hasOwn(PRESETS, values.dialect)) {
      throw new Error(
        `Cannot ${ACTION} as '--dialect' must be one of ${
          Object.keys(PRESETS).join(", ")
        }: current value is ${show(values.dialect)}`,
      );
    }
    options.dialect = values.dialect;
  }
  if (typeof values["api-key"] === "string") {
    options.apiKey = values["api-key"];
  }
  try {
    resolveDialectOptions(options);
    resolveWebhookOptions(options);
  } catch (error) {
    throw new Error(
      (error as Error).message.replace("create the simulator", ACTION)
        .replace("'apiKey'", "'--api-key'")
        .replace("'webhookSecret'", "'--webhook-secret'"),
    );
  }
  const hostname = typeof values.hostname === "string"
    ? values.hostname
    : "127.0.0.1";
  if (hostname.trim() === "") {
    throw new Error(
      `Cannot ${ACTION} as '--hostname' must not be empty: current value is ""`,
    );
  }
  const port = typeof values.port === "string"
    ? parseNumberFlag(values.port, "--port", PORT_RULE, ACTION)
    : 5000;
  return {
    help: values.help === true,
    port,
    hostname,
    options: options as ServeOptions,
  };
}
