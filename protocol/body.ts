/**
 * Reading a message body without trusting its sender: at most a set number of
 * bytes, whatever `Content-Length` claims. The client reads status answers
 * this way and the simulator reads `POST /jobs` bodies.
 *
 * @module
 */

/**
 * The largest body either side reads, in bytes (64 KiB): a status or job
 * answer for the client, a `POST /jobs` body for the simulator (which answers
 * `413` to a larger one).
 *
 * @example
 * ```ts
 * import { MAX_BODY_BYTES } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_BODY_BYTES, 64 * 1024);
 * ```
 */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * A body as {@linkcode readBoundedText} read it.
 *
 * @example
 * ```ts
 * import type { BoundedText } from "./body.ts";
 *
 * const read: BoundedText = { text: "{}", truncated: false };
 * ```
 */
export interface BoundedText {
  /** The text read: all of it, or the first `limit` bytes' worth. */
  readonly text: string;
  /** Whether the body was longer than the limit (and was cancelled). */
  readonly truncated: boolean;
}

/**
 * Options of {@linkcode readBoundedText}.
 *
 * @example
 * ```ts
 * import type { ReadBoundedTextOptions } from "./body.ts";
 *
 * const strict: ReadBoundedTextOptions = { fatal: true };
 * ```
 */
export interface ReadBoundedTextOptions {
  /**
   * Whether bytes that are not UTF-8 reject with a `TypeError` instead of
   * reading as U+FFFD. @default {false}
   */
  readonly fatal?: boolean;
}

/**
 * Reads a request's or response's body as UTF-8 text, cancelling the stream
 * and returning what was read so far (with `truncated: true`) once it exceeds
 * `limit` bytes. Rejects when the stream errors.
 *
 * @example Stop at the limit
 * ```ts
 * import { readBoundedText } from "./body.ts";
 * import assert from "node:assert/strict";
 *
 * const read = await readBoundedText(new Response("x".repeat(100)), 10);
 * assert.deepEqual(read, { text: "x".repeat(10), truncated: true });
 * ```
 *
 * @param message A `Request` or `Response`.
 * @param limit The most bytes read.
 * @param options Whether malformed UTF-8 rejects.
 * @returns The text and whether it was cut.
 * @throws {TypeError} With `fatal`, when the bytes are not UTF-8.
 */
export async function readBoundedText(
  message: { readonly body: ReadableStream<Uint8Array> | null },
  limit: number = MAX_BODY_BYTES,
  options: ReadBoundedTextOptions = {},
): Promise<BoundedText> {
  if (message.body === null) return { text: "", truncated: false };
  const reader = message.body.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: options.fatal ?? false });
  let text = "";
  let bytes = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode(), truncated: false };
      bytes += value.byteLength;
      if (bytes > limit) {
        const room = value.byteLength - (bytes - limit);
        text += decoder.decode(value.subarray(0, room), { stream: true });
        await reader.cancel();
        return { text, truncated: true };
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
}
