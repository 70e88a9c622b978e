// A webhook event as it travels through Redis: JSON, read back with the
// same checks a receiver makes, so that a foreign or truncated entry under
// the same key is skipped instead of reaching a wait.

import type { WebhookEvent } from "../client/webhooks/source.ts";
import { isVideoStatus } from "../protocol/status.ts";

/** The JSON of an event, as another instance decodes it. */
export function encodeEvent(event: WebhookEvent): string {
  const { id, jobId, reading, body, verified, receivedAt } = event;
  return JSON.stringify({ id, jobId, reading, body, verified, receivedAt });
}

/** The event in `text`, or `undefined` when it is not one. */
export function decodeEvent(text: unknown): WebhookEvent | undefined {
  if (typeof text !== "string") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { id, jobId, reading, body, verified, receivedAt } = value as Record<
    string,
    unknown
  >;
  const read = reading as Record<string, unknown> | null;
  if (
    typeof id !== "string" || typeof jobId !== "string" ||
    typeof verified !== "boolean" || typeof receivedAt !== "number" ||
    typeof read !== "object" || read === null ||
    !isVideoStatus(read.result) || typeof read.status !== "string" ||
    typeof body !== "object" || body === null
  ) return undefined;
  return {
    id,
    jobId,
    reading: read as unknown as WebhookEvent["reading"],
    body,
    verified,
    receivedAt,
  };
}
