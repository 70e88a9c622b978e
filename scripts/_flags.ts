// Number flags and the entry point shared by the benchmark scripts.

import { firstLine } from "../simulator/cli_args.ts";

/** A flag's value as a positive integer, or a RangeError naming the flag. */
export function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot run the benchmark as '${flag}' must be a positive integer: current value is ${text}`,
    );
  }
  return value;
}

/** A flag's value as a positive finite number, or a RangeError naming the flag. */
export function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(
      `Cannot run the benchmark as '${flag}' must be a positive number: current value is ${text}`,
    );
  }
  return value;
}

/** Runs a script's `main`, turning a thrown error into one line and exit code 1. */
export async function runMain(
  main: (args: string[]) => Promise<number>,
): Promise<void> {
  try {
    Deno.exitCode = await main(Deno.args);
  } catch (error) {
    console.error(
      firstLine(error instanceof Error ? error.message : String(error)),
    );
    Deno.exitCode = 1;
  }
}
