/**
 * Writing a `Response` to an HTTP/1.1 connection, for the Deno adapter.
 *
 * @module
 */

import { type Framing, type RequestHead, responseHead } from "./http1.ts";

/**
 * The part of a socket the writer uses.
 *
 * @example
 * ```ts
 * import type { Writable } from "./response_writer.ts";
 *
 * const sink: Writable = { write: (bytes) => Promise.resolve(bytes.length) };
 * ```
 */
export interface Writable {
  /** Writes some of `bytes`; resolves with how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/** A body buffered before the writer switches to chunked streaming. */
const BUFFERED_BODY_BYTES = 65_536;
const encoder = new TextEncoder();

/**
 * Writes a JSON error `{"error": message}` that ends the connection. A
 * socket error is ignored: the connection is being closed anyway.
 *
 * @example
 * ```ts
 * import { writeError } from "./response_writer.ts";
 * import assert from "node:assert/strict";
 *
 * let text = "";
 * await writeError({
 *   write(bytes) {
 *     text += new TextDecoder().decode(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 * }, 400, "Cannot read the request");
 * assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
 * assert.match(text, /connection: close\r\n\r\n\{"error":"Cannot read the request"\}$/);
 * ```
 *
 * @param conn The connection.
 * @param status The status code.
 * @param message What went wrong.
 * @param extra Extra headers.
 * @returns A promise that resolves once written (or failed).
 */
export async function writeError(
  conn: Writable,
  status: number,
  message: string,
  extra: Record<string, string> = {},
): Promise<void> {
  const body = encoder.encode(JSON.stringify({ error: message }));
  const headers = new Headers({ "content-type": "application/json", ...extra });
  await writeAll(
    conn,
    join([
      responseHead(status, headers, { length: body.length }, false),
      body,
    ]),
  ).catch(() => {});
}

/**
 * Writes a response to `request`. A body other than an event stream is
 * buffered (up to 64 KiB) and sent with a `Content-Length` in one write; an
 * event stream, or a longer body, is sent chunked as it comes (as is, up to
 * the connection's end, to an HTTP/1.0 client). A body that errors is sent as
 * far as it came and then the promise rejects, so that the caller drops the
 * connection (the simulator's reset fault).
 *
 * @example
 * ```ts
 * import { writeResponse } from "./response_writer.ts";
 * import assert from "node:assert/strict";
 *
 * let text = "";
 * const conn = {
 *   write(bytes: Uint8Array) {
 *     text += new TextDecoder().decode(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 * };
 * const head = { method: "GET", target: "/", version: "HTTP/1.1", headers: [] };
 * await writeResponse(conn, new Response("ok"), head, true);
 * assert.match(text, /content-length: 2\r\nconnection: keep-alive\r\n\r\nok$/);
 * ```
 *
 * @param conn The connection.
 * @param response The handler's response.
 * @param request The request's head.
 * @param keepAlive Whether the connection stays open after this response.
 * @returns A promise that resolves once the response is written.
 * @throws {Error} When the socket fails or the body errors.
 */
export async function writeResponse(
  conn: Writable,
  response: Response,
  request: RequestHead,
  keepAlive: boolean,
): Promise<void> {
  const { status, headers } = response;
  const bodiless = request.method === "HEAD" || status === 204 ||
    status === 304;
  if (bodiless || response.body === null) {
    await response.body?.cancel().catch(() => {});
    const framing: Framing = bodiless ? "none" : { length: 0 };
    return await writeAll(
      conn,
      responseHead(status, headers, framing, keepAlive),
    );
  }
  const streamed: Framing = request.version === "HTTP/1.1"
    ? "chunked"
    : "close";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let headSent = false;
  try {
    if (!(headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      while (size <= BUFFERED_BODY_BYTES) {
        const { done, value } = await reader.read();
        if (done) {
          const head = responseHead(
            status,
            headers,
            { length: size },
            keepAlive,
          );
          return await writeAll(conn, join([head, ...chunks]));
        }
        chunks.push(value);
        size += value.length;
      }
    }
    await writeStart(conn, status, headers, streamed, keepAlive, chunks);
    headSent = true;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.length > 0) await writeAll(conn, frame(value, streamed));
    }
    if (streamed === "close") {
      throw new Error("The body ends with the connection");
    }
    await writeAll(conn, encoder.encode("0\r\n\r\n"));
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (!headSent) {
      await writeStart(conn, status, headers, streamed, false, chunks)
        .catch(() => {});
    }
    throw error;
  }
}

/** The head of a streamed response with the body's first bytes. */
function writeStart(
  conn: Writable,
  status: number,
  headers: Headers,
  streamed: Framing,
  keepAlive: boolean,
  chunks: readonly Uint8Array[],
): Promise<void> {
  const head = responseHead(
    status,
    headers,
    streamed,
    keepAlive && streamed === "chunked",
  );
  const first = chunks.length > 0 ? [frame(join(chunks), streamed)] : [];
  return writeAll(conn, join([head, ...first]));
}

/** One chunk of a chunked body, or the bytes as they are. */
function frame(bytes: Uint8Array, framing: Framing): Uint8Array {
  if (framing !== "chunked") return bytes;
  return join([
    encoder.encode(`${bytes.length.toString(16)}\r\n`),
    bytes,
    encoder.encode("\r\n"),
  ]);
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const joined = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/**
 * Writes all of `bytes`, however many each socket write takes.
 *
 * @example
 * ```ts
 * import { writeAll } from "./response_writer.ts";
 * import assert from "node:assert/strict";
 *
 * const seen: number[] = [];
 * // A socket that takes one byte a write.
 * await writeAll({
 *   write(bytes) {
 *     seen.push(bytes[0]!);
 *     return Promise.resolve(1);
 *   },
 * }, new Uint8Array([1, 2, 3]));
 * assert.deepEqual(seen, [1, 2, 3]);
 * ```
 *
 * @param conn The connection.
 * @param bytes What to write.
 * @returns A promise that resolves once all is written.
 */
export async function writeAll(
  conn: Writable,
  bytes: Uint8Array,
): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    offset += await conn.write(bytes.subarray(offset));
  }
}
