/**
 * Reading `text/event-stream` (the HTML standard's server-sent events) over
 * fetch streaming, so push works where `EventSource` does not exist (Node,
 * workers) and with custom headers.
 *
 * @module
 */

import { formatCount } from "../util/format.ts";

/** One dispatched server-sent event. */
export interface ServerSentEvent {
  /** The event type; `"message"` when the stream named none. */
  event: string;
  /** The event's data lines, joined with `"\n"`. */
  data: string;
  /** The stream's last event id so far (it carries over events that set none), or `undefined`. */
  id: string | undefined;
  /** The reconnection time in milliseconds the stream last set with `retry:`, or `undefined`. */
  retry: number | undefined;
}

/**
 * The longest line {@linkcode readServerSentEvents} reads, in bytes (1 MiB)
 * unless told otherwise: a longer one ends the stream with an
 * {@linkcode EventStreamLimitError}, so a server that never ends a line
 * cannot grow the reader's buffer.
 *
 * @example
 * ```ts
 * import { MAX_EVENT_STREAM_LINE_BYTES } from "./sse.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_EVENT_STREAM_LINE_BYTES, 1024 * 1024);
 * ```
 */
export const MAX_EVENT_STREAM_LINE_BYTES = 1024 * 1024;

/**
 * The largest event {@linkcode readServerSentEvents} reads, in bytes (1 MiB)
 * unless told otherwise: the bytes of its field lines, one byte for each
 * line's end included, comments excluded. A larger one ends the stream with
 * an {@linkcode EventStreamLimitError}, so a server that never ends an event
 * cannot grow the reader's buffer.
 *
 * @example
 * ```ts
 * import { MAX_EVENT_STREAM_EVENT_BYTES } from "./sse.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_EVENT_STREAM_EVENT_BYTES, 1024 * 1024);
 * ```
 */
export const MAX_EVENT_STREAM_EVENT_BYTES = 1024 * 1024;

/**
 * An event stream sent a line or an event longer than the reader's limit.
 *
 * @example
 * ```ts
 * import { EventStreamLimitError } from "./sse.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new EventStreamLimitError("line", 1024);
 * assert.equal(error.message, "Event stream line exceeded 1024 bytes");
 * ```
 */
export class EventStreamLimitError extends Error {
  /** What was too long. */
  readonly what: "line" | "event";
  /** The limit it exceeded, in bytes. */
  readonly limit: number;

  /**
   * Creates the error.
   *
   * @param what What was too long.
   * @param limit The limit it exceeded, in bytes.
   */
  constructor(what: "line" | "event", limit: number) {
    super(`Event stream ${what} exceeded ${formatCount(limit, "byte")}`);
    this.name = "EventStreamLimitError";
    this.what = what;
    this.limit = limit;
  }
}

/**
 * Options of {@linkcode readServerSentEvents}.
 *
 * @example
 * ```ts
 * import type { ReadServerSentEventsOptions } from "./sse.ts";
 *
 * const options: ReadServerSentEventsOptions = { maxLineBytes: 64 * 1024 };
 * ```
 */
export interface ReadServerSentEventsOptions {
  /** Called on every chunk received, comments (heartbeats) included. */
  readonly onActivity?: () => void;
  /** The longest line read, in bytes. @default {MAX_EVENT_STREAM_LINE_BYTES} */
  readonly maxLineBytes?: number;
  /** The largest event read, in bytes (its field lines and their ends). @default {MAX_EVENT_STREAM_EVENT_BYTES} */
  readonly maxEventBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Yields the events of an event stream as the HTML standard's parser would
 * dispatch them. Memory stays bounded by the limits whatever the server
 * sends: at most a line's limit and an event's, and one chunk.
 *
 * @example
 * ```ts
 * import { readServerSentEvents } from "./sse.ts";
 * import assert from "node:assert/strict";
 *
 * const body = new Response("retry: 3000\nid: 7\nevent: status\ndata: {}\n\n").body!;
 * const events = await Array.fromAsync(readServerSentEvents(body));
 * assert.deepEqual(events, [{ event: "status", data: "{}", id: "7", retry: 3000 }]);
 * ```
 *
 * @param stream The response body.
 * @param options The activity callback and the limits.
 * @returns The events, in order.
 * @throws {EventStreamLimitError} When a line or an event exceeds its limit;
 * the stream is cancelled.
 */
export async function* readServerSentEvents(
  stream: ReadableStream<Uint8Array>,
  options: ReadServerSentEventsOptions = {},
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const {
    onActivity = () => {},
    maxLineBytes = MAX_EVENT_STREAM_LINE_BYTES,
    maxEventBytes = MAX_EVENT_STREAM_EVENT_BYTES,
  } = options;
  const reader = stream.getReader();
  const lines = new LineSplitter(maxLineBytes);
  let eventBytes = 0;
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  let retry: number | undefined;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      onActivity();
      for (const line of lines.push(value)) {
        if (line === "") {
          if (data.length > 0) {
            yield {
              event: event || "message",
              data: data.join("\n"),
              id,
              retry,
            };
          }
          event = "";
          data = [];
          eventBytes = 0;
          continue;
        }
        if (line.startsWith(":")) continue;
        eventBytes += utf8Length(line) + 1;
        if (eventBytes > maxEventBytes) {
          throw new EventStreamLimitError("event", maxEventBytes);
        }
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let fieldValue = colon === -1 ? "" : line.slice(colon + 1);
        if (fieldValue.startsWith(" ")) fieldValue = fieldValue.slice(1);
        if (field === "event") event = fieldValue;
        else if (field === "data") data.push(fieldValue);
        else if (field === "id" && !fieldValue.includes("\0")) id = fieldValue;
        else if (field === "retry" && /^\d+$/.test(fieldValue)) {
          retry = Number(fieldValue);
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * Splits decoded text into lines at CR, LF or CRLF, even when a CRLF or a
 * UTF-8 character is cut across chunks, and refuses a line longer than
 * `limit` bytes before it holds more than that and one chunk.
 */
class LineSplitter {
  readonly #limit: number;
  // The stream's leading byte order mark is dropped by hand: a decoder
  // told to drop it has been seen to drop one cut across chunks mid-stream.
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  #started = false;
  /** The unfinished line, and maybe a trailing "\r" (half of a "\r\n"). */
  #buffer = "";
  /** The unfinished line's length in bytes. */
  #pending = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The lines this chunk completes. */
  push(chunk: Uint8Array): string[] {
    // A line's end is ASCII, so it never falls inside a UTF-8 character:
    // the bytes after the chunk's last one are the unfinished line's.
    const last = Math.max(chunk.lastIndexOf(LF), chunk.lastIndexOf(CR));
    this.#pending = last === -1
      ? this.#pending + chunk.byteLength
      : chunk.byteLength - last - 1;
    if (this.#pending > this.#limit) {
      throw new EventStreamLimitError("line", this.#limit);
    }
    let text = this.#decoder.decode(chunk, { stream: true });
    if (!this.#started && text !== "") {
      this.#started = true;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    this.#buffer += text;
    // Without a line's end, only a pending "\r" can complete a line: do
    // not scan the unfinished line again for every chunk.
    if (last === -1 && !this.#buffer.endsWith("\r")) return [];
    const end = this.#buffer.endsWith("\r")
      ? this.#buffer.length - 1
      : this.#buffer.length;
    const lines = this.#buffer.slice(0, end).split(/\r\n|\r|\n/);
    this.#buffer = (lines.pop() ?? "") + this.#buffer.slice(end);
    for (const line of lines) {
      if (line.length > this.#limit / 3 && utf8Length(line) > this.#limit) {
        throw new EventStreamLimitError("line", this.#limit);
      }
    }
    return lines;
  }
}

/** How many bytes `text` takes in UTF-8. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // 2 bytes below U+0800, 3 above, 4 for a surrogate pair (2 units).
    if (unit >= 0x80) {
      bytes += unit < 0x800 || (unit >= 0xd800 && unit < 0xe000) ? 1 : 2;
    }
  }
  return bytes;
}
