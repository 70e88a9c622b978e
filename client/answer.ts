// What a server's answer means to a wait: a status (with its body), a
// failure worth retrying, the server pacing the client, or an error that
// retrying cannot fix (thrown).

import { HTTPError, ProtocolError } from "./errors/mod.ts";
import type { Secrets } from "./secrets.ts";
import {
  type Dialect,
  isReadProblem,
  type Reading,
  type ReadProblem,
} from "../protocol/dialect.ts";
import { printable } from "../util/format.ts";

/** The request an answer came from, as errors name it. */
export interface RequestLabel {
  method: string;
  /** Without credentials. */
  url: string;
}

/** A status as the dialect read it, and the parsed body it came in. */
export interface ParsedStatus extends Reading {
  body: Record<string, unknown>;
}

/** Whether retrying may help: 408, 429 and 5xx but 501 and 505, which say the server never will. */
export function isRetryable(status: number): boolean {
  return status === 408 || status === 429 ||
    (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/**
 * Whether an error answer is the server pacing the client rather than
 * failing: 429, or 503 with a `Retry-After`.
 */
export function isPacing(
  error: unknown,
  retryAfter: number | undefined,
): boolean {
  return error instanceof HTTPError &&
    (error.status === 429 ||
      (error.status === 503 && retryAfter !== undefined));
}

/** The body as a JSON object, or `undefined` if it is not one. */
export function parseJsonObject(
  text: string,
): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The status in a body, read by the dialect, or a ProtocolError to retry
 * (an unreadable body, or one without the status field). A word the dialect
 * does not know is thrown: retrying cannot make it known, and a wait must
 * not spin on it. What the errors quote of the body hides the configured
 * header values, in case the server echoes a key.
 */
export function parseStatus(
  text: string,
  answer: { dialect: Dialect; headers: Headers; now: number },
  label: RequestLabel,
  secrets: Secrets,
): ParsedStatus | ProtocolError {
  const body = parseJsonObject(text);
  const reading: Reading | ReadProblem = body === undefined
    ? {
      problem: "missing",
      field: "",
      message: "Expected a JSON object",
    }
    : answer.dialect.read(body, answer.headers, answer.now);
  if (!isReadProblem(reading)) return { ...reading, body: body! };
  // The message quotes the server's word: a dialect of any origin may make
  // it as long as the body, or full of control characters.
  const error = new ProtocolError(
    printable(secrets.hide(reading.message)),
    secrets.hide(text.slice(0, 1024)),
    label,
  );
  if (reading.problem === "unknown") throw error;
  return error;
}
