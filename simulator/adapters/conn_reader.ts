/**
 * Buffered reading of one HTTP/1.1 connection: request heads, request bodies
 * (`Content-Length` or chunked), and noticing that the client went away while
 * its request is answered. At most one socket read is in flight at a time.
 *
 * @module
 */

import { MAX_HEAD_BYTES } from "./http1.ts";

/**
 * The part of a socket the reader uses.
 *
 * @example
 * ```ts
 * import type { Readable } from "./conn_reader.ts";
 *
 * const empty: Readable = { read: () => Promise.resolve(null) };
 * ```
 */
export interface Readable {
  /** Reads into `buffer`; `null` at the end of the stream. */
  read(buffer: Uint8Array): Promise<number | null>;
}

const END = new Uint8Array([13, 10, 13, 10]);

/**
 * Reads a connection through one buffer.
 *
 * @example Read a head, then see the end of the stream
 * ```ts
 * import { ConnReader } from "./conn_reader.ts";
 * import assert from "node:assert/strict";
 *
 * let sent = false;
 * const reader = new ConnReader({
 *   read(buffer) {
 *     if (sent) return Promise.resolve(null);
 *     sent = true;
 *     const bytes = new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n");
 *     buffer.set(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 * });
 * const head = await reader.readHead();
 * assert.equal(new TextDecoder().decode(head as Uint8Array), "GET / HTTP/1.1");
 * assert.equal(await reader.readHead(), null);
 * ```
 */
export class ConnReader {
  #socket: Readable;
  #buffer = new Uint8Array(0);
  #reading: Promise<boolean> | undefined;
  #ended = false;

  /**
   * Reads from `socket`.
   *
   * @param socket The connection.
   */
  constructor(socket: Readable) {
    this.#socket = socket;
  }

  /** Whether bytes wait in the buffer (a request has begun). */
  get buffered(): boolean {
    return this.#buffer.length > 0;
  }

  /**
   * Reads more bytes into the buffer; joins the read in flight if there is
   * one.
   *
   * @returns `false` at the end of the stream or on a socket error.
   */
  fill(): Promise<boolean> {
    if (this.#ended) return Promise.resolve(false);
    this.#reading ??= (async () => {
      const chunk = new Uint8Array(4_096);
      let n: number | null;
      try {
        n = await this.#socket.read(chunk);
      } catch {
        n = null;
      }
      this.#reading = undefined;
      if (n === null) {
        this.#ended = true;
        return false;
      }
      const joined = new Uint8Array(this.#buffer.length + n);
      joined.set(this.#buffer);
      joined.set(chunk.subarray(0, n), this.#buffer.length);
      this.#buffer = joined;
      return true;
    })();
    return this.#reading;
  }

  /**
   * The bytes that come next, buffered ones first: how a WebSocket reads the
   * connection once the request head is read.
   *
   * @returns The bytes, or `null` at the end of the stream.
   */
  async next(): Promise<Uint8Array | null> {
    if (this.#buffer.length === 0 && !(await this.fill())) return null;
    const bytes = this.#buffer;
    this.#buffer = new Uint8Array(0);
    return bytes;
  }

  /**
   * Reads one request head.
   *
   * @param onFirstByte Called once the head's first byte is in.
   * @returns The head's bytes without the empty line that ends it, `null`
   * when the stream ended before a head began, or `"incomplete"` when it
   * ended within one, `"too large"` past {@linkcode MAX_HEAD_BYTES}.
   */
  async readHead(
    onFirstByte?: () => void,
  ): Promise<Uint8Array | null | "incomplete" | "too large"> {
    let searched = 0;
    for (;;) {
      // Tolerate the empty lines RFC 9112 lets a client send before a request.
      while (this.#buffer[0] === 13 || this.#buffer[0] === 10) {
        this.#buffer = this.#buffer.subarray(1);
      }
      if (this.#buffer.length > 0) onFirstByte?.();
      const end = indexOf(this.#buffer, END, Math.max(0, searched - 3));
      if (end !== -1) {
        const head = this.#buffer.subarray(0, end);
        this.#buffer = this.#buffer.subarray(end + 4);
        return end > MAX_HEAD_BYTES ? "too large" : head;
      }
      if (this.#buffer.length > MAX_HEAD_BYTES) return "too large";
      searched = this.#buffer.length;
      if (!(await this.fill())) return searched === 0 ? null : "incomplete";
    }
  }

  /**
   * A request body as a stream: `length` bytes, or chunked when `length` is
   * `"chunked"`. It errors when the connection ends first.
   *
   * @param length The `Content-Length`, or `"chunked"`.
   * @param onDone Called once the whole body has been read.
   * @returns The body.
   */
  body(
    length: number | "chunked",
    onDone: () => void,
  ): ReadableStream<Uint8Array> {
    let left = length === "chunked" ? 0 : length;
    let lastChunk = false;
    return new ReadableStream<Uint8Array>({
      pull: async (controller): Promise<void> => {
        if (length === "chunked" && left === 0) {
          const size = await this.#chunkSize(lastChunk);
          if (size === undefined) throw new Error("Cannot read a chunked body");
          lastChunk = true;
          if (size === 0) {
            onDone();
            return controller.close();
          }
          left = size;
        }
        if (left === 0) {
          onDone();
          return controller.close();
        }
        if (this.#buffer.length === 0 && !(await this.fill())) {
          throw new Error("The client closed the connection within the body");
        }
        const take = this.#buffer.subarray(
          0,
          Math.min(left, this.#buffer.length),
        );
        this.#buffer = this.#buffer.subarray(take.length);
        left -= take.length;
        controller.enqueue(take.slice());
        if (left === 0 && length !== "chunked") {
          onDone();
          controller.close();
        }
      },
    });
  }

  /** Reads a chunk-size line (after a previous chunk's CRLF); the last one's trailers are skipped. */
  async #chunkSize(afterChunk: boolean): Promise<number | undefined> {
    const line = await this.#line(afterChunk ? 2 : 0);
    const size = line === undefined ? Number.NaN : parseInt(line, 16);
    if (!/^[0-9a-fA-F]{1,8}(?:;.*)?$/.test(line ?? "") || !(size >= 0)) {
      return undefined;
    }
    if (size === 0) {
      // Trailer fields, if any, up to an empty line.
      for (;;) {
        const trailer = await this.#line(0);
        if (trailer === undefined) return undefined;
        if (trailer === "") break;
      }
    }
    return size;
  }

  /** One CRLF-ended line after skipping `skip` bytes, at most 1 KiB long. */
  async #line(skip: number): Promise<string | undefined> {
    for (;;) {
      const end = indexOf(this.#buffer, END.subarray(2), skip);
      if (end !== -1) {
        const line = new TextDecoder().decode(this.#buffer.subarray(skip, end));
        this.#buffer = this.#buffer.subarray(end + 2);
        return line;
      }
      if (this.#buffer.length > 1_024 || !(await this.fill())) return undefined;
    }
  }
}

function indexOf(
  haystack: Uint8Array,
  needle: Uint8Array,
  from: number,
): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}
