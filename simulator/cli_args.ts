// Command-line helpers shared by the simulator's CLI and the demo.

import { show } from "../util/validate.ts";
import { checkNumber, checkOrder, type NumberRule } from "./number_rule.ts";

/** A decimal number as typed on a command line: no hex, no `Infinity`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Joins `--flag -5` into `--flag=-5` for the flags that take a value, as
 * `parseArgs` would otherwise read `-5` as an option of its own.
 */
export function joinNegativeValues(
  args: readonly string[],
  valueFlags: readonly string[],
): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = args[i + 1];
    if (
      valueFlags.includes(arg.replace(/^--/, "")) && arg.startsWith("--") &&
      next !== undefined && /^-(?:\d|\.\d)/.test(next)
    ) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/**
 * Reads a number flag strictly (decimal only) and checks it against a rule.
 *
 * @throws {Error} With a one-line message naming the flag.
 */
export function parseNumberFlag(
  text: string,
  flag: string,
  rule: NumberRule,
  action: string,
): number {
  const value = DECIMAL.test(text.trim()) ? Number(text) : Number.NaN;
  const message = checkNumber(
    Number.isNaN(value) ? text : value,
    flag,
    rule,
    action,
  );
  if (message !== undefined) throw new Error(message);
  return value;
}

/** The first line of a `parseArgs` error, which may run to several. */
export function firstLine(message: string): string {
  return message.split(/\.\s|\n/)[0];
}

/**
 * Reads a `MIN..MAX` flag in integer milliseconds (a single N means N..N),
 * each end checked against `rule`.
 *
 * @throws {Error} With a one-line message naming the flag.
 */
export function parseRangeFlag(
  text: string,
  flag: string,
  rule: NumberRule,
  action: string,
): [number, number] {
  const match = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(text);
  if (match === null) {
    throw new Error(
      `Cannot ${action} as '${flag}' must be MIN..MAX or N in milliseconds: current value is ${
        show(text)
      }`,
    );
  }
  const min = parseNumberFlag(match[1]!, flag, rule, action);
  const max = parseNumberFlag(match[2] ?? match[1]!, flag, rule, action);
  checkOrder(min, max, `${flag} MIN`, `${flag} MAX`, action);
  return [min, max];
}
