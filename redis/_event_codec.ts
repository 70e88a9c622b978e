// A webhook event as it travels through Redis: JSON in a stream entry or a
// list, read back with checks, so that a foreign or truncated entry under
// the same key is skipped instead of reaching a wait. Only verified events
// are published, so an unverified one read back is foreign too.

import type { WebhookEvent } from "../client/webhooks/source.ts";
import { isVideoStatus } from "../protocol/status.ts";

/** The JSON of an event, as another instance decodes it. */
export function encodeEvent(event: WebhookEvent): string {
  const { id, jobId, reading, body, verified, receivedAt } = event;
  return JSON.stringify({ id, jobId, reading, body, verified, receivedAt });
}

/** The verified event in `text`, or `undefined` when it is not one. */
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
    verified !== true || typeof receivedAt !== "number" ||
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

/** The entries of the one stream an XREAD reply holds, or none. */
export function readEntries(reply: unknown): unknown {
  // A map from the stream's name (RESP3: a Map or an object), or
  // [[name, entries]] (RESP2), or null when the read timed out.
  if (reply instanceof Map) return [...reply.values()][0];
  if (Array.isArray(reply)) return Array.isArray(reply[0]) ? reply[0][1] : [];
  if (typeof reply === "object" && reply !== null) {
    return Object.values(reply)[0];
  }
  return [];
}

/** A stream entry: its id, its event (`undefined` where it is not one), and its number in the stream (`undefined` where it has none). */
export type StreamEntry = [
  string,
  WebhookEvent | undefined,
  number | undefined,
];

/** The entries of a stream, as XREAD or XREVRANGE reply them. */
export function entriesOf(entries: unknown): StreamEntry[] {
  if (!Array.isArray(entries)) return [];
  const pairs: StreamEntry[] = [];
  for (const entry of entries) {
    if (!Array.isArray(entry) || typeof entry[0] !== "string") continue;
    const fields = Array.isArray(entry[1]) ? entry[1] : [];
    const number = Number(fields[3]);
    pairs.push([
      entry[0],
      decodeEvent(fields[1]),
      fields[2] === "n" && Number.isSafeInteger(number) ? number : undefined,
    ]);
  }
  return pairs;
}
