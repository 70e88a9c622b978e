/**
 * The server's end of one WebSocket over any byte channel, so that every
 * runtime adapter shares it: text messages out, and the client's frames read
 * for what the protocol requires (close answered, ping answered with pong,
 * a protocol error or oversized frame closed with 1002 or 1009). The
 * client's own messages are read and dropped: a status push has nothing to
 * learn from them.
 *
 * @module
 */

import { closePayload, encodeFrame, FrameDecoder, OPCODE } from "./frames.ts";

/**
 * A connection's bytes after the `101` answer, as an adapter hands them over.
 *
 * @example
 * ```ts
 * import type { ByteChannel } from "./socket.ts";
 *
 * const closed: ByteChannel = {
 *   read: () => Promise.resolve(null),
 *   write: () => Promise.resolve(),
 *   close() {},
 * };
 * ```
 */
export interface ByteChannel {
  /** The next bytes the client sent; `null` once the connection has ended. */
  read(): Promise<Uint8Array | null>;
  /** Writes all of `bytes`; rejects when the connection fails. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the connection; safe to call more than once. */
  close(): void;
}

/**
 * Milliseconds the server waits for the client's answer to its close frame
 * before it drops the connection, so a client that never answers cannot hold
 * it.
 *
 * @example
 * ```ts
 * import { CLOSE_TIMEOUT } from "./socket.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CLOSE_TIMEOUT, 5_000);
 * ```
 */
export const CLOSE_TIMEOUT = 5_000;

const encoder = new TextEncoder();

/**
 * One WebSocket, server side. {@linkcode ServerWebSocket.done} resolves once
 * the connection has closed, whoever closed it.
 *
 * @example Send a message and close; the client answers the close
 * ```ts
 * import { ServerWebSocket } from "./socket.ts";
 * import { closePayload, encodeFrame, OPCODE } from "./frames.ts";
 * import assert from "node:assert/strict";
 *
 * const written: Uint8Array[] = [];
 * let answer: ((bytes: Uint8Array | null) => void) | undefined;
 * const socket = new ServerWebSocket({
 *   read: () => new Promise((resolve) => answer = resolve),
 *   write: (bytes) => {
 *     written.push(bytes);
 *     return Promise.resolve();
 *   },
 *   close() {},
 * });
 * socket.send("hi");
 * socket.close(1000);
 * answer!(encodeFrame(OPCODE.close, closePayload(1000, ""), new Uint8Array(4)));
 * await socket.done;
 * assert.deepEqual(written.map((frame) => frame[0]), [0x81, 0x88]);
 * ```
 */
export class ServerWebSocket {
  #channel: ByteChannel;
  #writing: Promise<void> = Promise.resolve();
  #closeSent = false;
  #ended = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closeTimeout: number;
  /** Resolves once the connection has closed. */
  readonly done: Promise<void>;

  /**
   * Starts reading the client's frames from `channel`.
   *
   * @param channel The connection, past the handshake.
   * @param closeTimeout Milliseconds to wait for the client's answer to a
   * close frame. @default {CLOSE_TIMEOUT}
   */
  constructor(channel: ByteChannel, closeTimeout: number = CLOSE_TIMEOUT) {
    this.#channel = channel;
    this.#closeTimeout = closeTimeout;
    this.done = this.#read();
  }

  /** Whether a close frame has been sent (nothing more will be). */
  get closing(): boolean {
    return this.#closeSent;
  }

  /**
   * Sends a text message, unless closing.
   *
   * @param text The message.
   */
  send(text: string): void {
    if (!this.#closeSent) this.#write(OPCODE.text, encoder.encode(text));
  }

  /**
   * Sends a close frame (once) and drops the connection when the client
   * answers it, or after the close timeout ({@linkcode CLOSE_TIMEOUT}).
   *
   * @param code The close code: 1000 done, 1001 going away.
   * @param reason Why, for people.
   */
  close(code: number, reason = ""): void {
    if (this.#closeSent || this.#ended) return;
    this.#closeSent = true;
    this.#write(OPCODE.close, closePayload(code, reason));
    this.#timer = setTimeout(() => this.#end(), this.#closeTimeout);
  }

  /** Queues a frame after the ones before it; a failed write ends all. */
  #write(opcode: number, payload: Uint8Array): void {
    const frame = encodeFrame(opcode, payload);
    this.#writing = this.#writing.then(
      () => this.#ended ? undefined : this.#channel.write(frame),
    ).catch(() => this.#end());
  }

  /** Closes the connection once what was queued is written. */
  async #endAfterWrites(): Promise<void> {
    await this.#writing;
    this.#end();
  }

  #end(): void {
    clearTimeout(this.#timer);
    this.#ended = true;
    this.#channel.close();
  }

  async #read(): Promise<void> {
    const decoder = new FrameDecoder();
    while (!this.#ended) {
      const bytes = await this.#channel.read().catch(() => null);
      if (bytes === null) break;
      const frames = decoder.push(bytes);
      if (!Array.isArray(frames)) {
        this.close(frames.code, frames.reason);
        break;
      }
      for (const frame of frames) {
        if (frame.opcode === OPCODE.ping) {
          if (!this.#closeSent) this.#write(OPCODE.pong, frame.payload);
        } else if (frame.opcode === OPCODE.close) {
          // Echo the client's code, as RFC 6455 section 5.5.1 asks.
          const code = frame.payload.length >= 2
            ? new DataView(frame.payload.buffer).getUint16(0)
            : 1000;
          this.close(sendable(code) ? code : 1002);
          return await this.#endAfterWrites();
        }
      }
    }
    await this.#endAfterWrites();
  }
}

/** Whether a close code may be sent on the wire (RFC 6455 section 7.4). */
function sendable(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}
