// What a server's answer means to a wait: a status (with its body), a
// failure worth retrying, the server pacing the client, or an error that
// retrying cannot fix (thrown).

import { HTTPError, ProtocolError } from "./errors/mod.ts";
import type { Secrets } from "./secrets.ts";
import { isVideoStatus, type VideoStatus } from "../protocol/status.ts";
import { show } from "../util/validate.ts";

/** The request an answer came from, as errors name it. */
export interface RequestLabel {
  method: string;
  /** Without credentials. */
  url: string;
}

/** A status and the parsed body it came in. */
export interface ParsedStatus {
  result: VideoStatus;
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
 * The status in a body, or a ProtocolError to retry (unreadable body). An
 * unknown `result` value is thrown: retrying cannot make it known. What the
 * errors quote of the body hides the configured header values, in case the
 * server echoes a key.
 */
export function parseStatus(
  text: string,
  label: RequestLabel,
  secrets: Secrets,
): ParsedStatus | ProtocolError {
  const body = parseJsonObject(text);
  if (body === undefined || !("result" in body)) {
    return new ProtocolError(
      "Expected a JSON object with a 'result'",
      secrets.hide(text.slice(0, 1024)),
      label,
    );
  }
  if (!isVideoStatus(body.result)) {
    throw new ProtocolError(
      secrets.hide(`Unknown result ${show(body.result)}`),
      secrets.hide(text.slice(0, 1024)),
      label,
    );
  }
  return { result: body.result, body };
}
