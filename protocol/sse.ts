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
 * dispatch them. Lines are split on bytes (a line's end is ASCII, so it
 * never falls inside a UTF-8 character) and decoded whole; memory stays
 * bounded by the limits whatever the server sends.
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
  const lines = new LineDecoder(maxLineBytes);
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
      for (const { line, bytes } of lines.push(value)) {
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
        eventBytes += bytes + 1;
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
 * Splits bytes into lines at CR, LF or CRLF, even when a CRLF or a UTF-8
 * character is split across chunks, holding at most `limit` bytes of an
 * unfinished line.
 */
class LineDecoder {
  readonly #limit: number;
  // A leading byte order mark is dropped by hand: only the stream's first.
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  #pieces: Uint8Array[] = [];
  #bytes = 0;
  #afterCR = false;
  #first = true;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The lines this chunk completes, with their length in bytes (without their end). */
  *push(chunk: Uint8Array): Generator<{ line: string; bytes: number }> {
    let start = 0;
    if (this.#afterCR && chunk[0] === LF) start = 1;
    this.#afterCR = false;
    while (true) {
      const end = lineEnd(chunk, start);
      if (end === -1) break;
      this.#add(chunk.subarray(start, end));
      const bytes = this.#bytes;
      const line = this.#take();
      start = end + 1;
      if (chunk[end] === CR) {
        // Its "\n", if any, may come in the next chunk.
        if (start === chunk.length) this.#afterCR = true;
        else if (chunk[start] === LF) start++;
      }
      yield { line, bytes };
    }
    // A copy: a view would keep the whole chunk alive.
    if (start < chunk.length) this.#add(chunk.slice(start));
  }

  #add(piece: Uint8Array): void {
    this.#bytes += piece.byteLength;
    if (this.#bytes > this.#limit) {
      throw new EventStreamLimitError("line", this.#limit);
    }
    if (piece.byteLength > 0) this.#pieces.push(piece);
  }

  #take(): string {
    const pieces = this.#pieces;
    let bytes: Uint8Array;
    if (pieces.length === 1) bytes = pieces[0];
    else {
      bytes = new Uint8Array(this.#bytes);
      let at = 0;
      for (const piece of pieces) {
        bytes.set(piece, at);
        at += piece.byteLength;
      }
    }
    this.#pieces = [];
    this.#bytes = 0;
    let line = this.#decoder.decode(bytes);
    if (this.#first) {
      this.#first = false;
      if (line.startsWith("\uFEFF")) line = line.slice(1);
    }
    return line;
  }
}

/** Where the next line in `chunk` from `start` ends (at a CR or LF), or -1. */
function lineEnd(chunk: Uint8Array, start: number): number {
  const lf = chunk.indexOf(LF, start);
  const cr = chunk.indexOf(CR, start);
  if (lf === -1) return cr;
  if (cr === -1) return lf;
  return Math.min(lf, cr);
}
