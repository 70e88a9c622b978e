/**
 * RFC 6455 framing for the server's end of a WebSocket: frames out are
 * unmasked, frames in must be masked, and a decoder that reads frames from
 * bytes however the network splits them, refusing what a client must not
 * send with the close code RFC 6455 names (1002 protocol error, 1009 too
 * big).
 *
 * @module
 */

/**
 * The opcodes the server reads or writes.
 *
 * @example
 * ```ts
 * import { OPCODE } from "./frames.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(OPCODE.close, 8);
 * ```
 */
export const OPCODE = Object.freeze({
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
});

/**
 * The most payload bytes a client's frame (or fragmented message) may carry.
 * The server reads only close and ping frames; a status push needs nothing
 * bigger, and a small cap bounds what one connection can make it buffer.
 *
 * @example
 * ```ts
 * import { MAX_CLIENT_FRAME_BYTES } from "./frames.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_CLIENT_FRAME_BYTES, 4_096);
 * ```
 */
export const MAX_CLIENT_FRAME_BYTES = 4_096;

/**
 * One frame as read: its opcode, whether it ends a message, and its payload
 * (unmasked).
 *
 * @example
 * ```ts
 * import type { Frame } from "./frames.ts";
 *
 * const ping: Frame = { fin: true, opcode: 9, payload: new Uint8Array() };
 * ```
 */
export interface Frame {
  /** Whether it is the last frame of its message. */
  readonly fin: boolean;
  /** What it is, one of {@linkcode OPCODE}. */
  readonly opcode: number;
  /** Its payload, unmasked. */
  readonly payload: Uint8Array;
}

/**
 * Why the decoder stopped: the close code to send and its reason.
 *
 * @example
 * ```ts
 * import type { FrameProblem } from "./frames.ts";
 *
 * const problem: FrameProblem = { code: 1009, reason: "Frame too big" };
 * ```
 */
export interface FrameProblem {
  /** 1002 (protocol error) or 1009 (message too big). */
  readonly code: 1002 | 1009;
  /** What was wrong, short enough for a close frame. */
  readonly reason: string;
}

/**
 * Encodes one frame with FIN set: unmasked, as a server sends it, or masked
 * with `mask`, as a client sends it.
 *
 * @example A server's text frame
 * ```ts
 * import { encodeFrame, OPCODE } from "./frames.ts";
 * import assert from "node:assert/strict";
 *
 * const frame = encodeFrame(OPCODE.text, new TextEncoder().encode("hi"));
 * assert.deepEqual([...frame], [0x81, 2, 0x68, 0x69]);
 * ```
 *
 * @param opcode What the frame is.
 * @param payload Its payload.
 * @param mask The client's 4-byte masking key, for a masked frame.
 * @returns The frame's bytes.
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  mask?: Uint8Array,
): Uint8Array {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const maskBytes = mask === undefined ? 0 : 4;
  const frame = new Uint8Array(2 + extended + maskBytes + length);
  frame[0] = 0x80 | opcode;
  frame[1] = (mask === undefined ? 0 : 0x80) |
    (extended === 0 ? length : extended === 2 ? 126 : 127);
  const view = new DataView(frame.buffer);
  if (extended === 2) view.setUint16(2, length);
  if (extended === 8) view.setBigUint64(2, BigInt(length));
  const start = 2 + extended + maskBytes;
  frame.set(payload, start);
  if (mask !== undefined) {
    frame.set(mask.subarray(0, 4), 2 + extended);
    for (let i = 0; i < length; i++) frame[start + i]! ^= mask[i % 4]!;
  }
  return frame;
}

/**
 * The payload of a close frame: the code, then the reason in UTF-8 (cut to
 * fit the 125 bytes a control frame may carry).
 *
 * @example
 * ```ts
 * import { closePayload } from "./frames.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...closePayload(1000, "")], [0x03, 0xe8]);
 * ```
 *
 * @param code The close code.
 * @param reason Why, for people.
 * @returns The payload.
 */
export function closePayload(code: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason).subarray(0, 123);
  const payload = new Uint8Array(2 + text.length);
  new DataView(payload.buffer).setUint16(0, code);
  payload.set(text, 2);
  return payload;
}

/**
 * Reads a client's frames from bytes as they arrive, in pieces of any size.
 * Unmasked frames, reserved bits or opcodes, fragmented or long control
 * frames and stray continuations are a protocol error (1002); a frame or
 * fragmented message over {@linkcode MAX_CLIENT_FRAME_BYTES} is too big
 * (1009). After a problem it reads nothing more.
 *
 * @example Read a masked ping split in two
 * ```ts
 * import { encodeFrame, FrameDecoder, OPCODE } from "./frames.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeFrame(OPCODE.ping, new Uint8Array([7]), new Uint8Array([1, 2, 3, 4]));
 * const decoder = new FrameDecoder();
 * assert.deepEqual(decoder.push(bytes.subarray(0, 3)), []);
 * const [ping] = decoder.push(bytes.subarray(3)) as { payload: Uint8Array }[];
 * assert.deepEqual([...ping!.payload], [7]);
 * ```
 */
export class FrameDecoder {
  #buffer = new Uint8Array(0);
  #fragmented = 0;
  #inMessage = false;
  #problem: FrameProblem | undefined;

  /**
   * Adds bytes and reads every frame they complete.
   *
   * @param bytes The bytes that arrived.
   * @returns The frames completed, or the problem that stops reading.
   */
  push(bytes: Uint8Array): Frame[] | FrameProblem {
    if (this.#problem !== undefined) return this.#problem;
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.length);
    this.#buffer = joined;
    const frames: Frame[] = [];
    for (;;) {
      const read = this.#next();
      if (read === undefined) return frames;
      if ("code" in read) return this.#problem = read;
      frames.push(read);
    }
  }

  /** The next whole frame in the buffer, `undefined` when it is not all in. */
  #next(): Frame | FrameProblem | undefined {
    const buffer = this.#buffer;
    if (buffer.length < 2) return undefined;
    const fin = (buffer[0]! & 0x80) !== 0;
    const opcode = buffer[0]! & 0x0f;
    const control = opcode >= 0x8;
    if ((buffer[0]! & 0x70) !== 0) return protocol("Reserved bits are set");
    if (
      ![0x0, 0x1, 0x2, 0x8, 0x9, 0xa].includes(opcode)
    ) return protocol("Unknown opcode");
    if ((buffer[1]! & 0x80) === 0) return protocol("Client frame is unmasked");
    if (control && !fin) return protocol("Control frame is fragmented");
    if (opcode === OPCODE.continuation && !this.#inMessage) {
      return protocol("Continuation without a message");
    }
    if (opcode !== OPCODE.continuation && !control && this.#inMessage) {
      return protocol("New message within a fragmented one");
    }
    const short = buffer[1]! & 0x7f;
    const extended = short === 126 ? 2 : short === 127 ? 8 : 0;
    if (buffer.length < 2 + extended) return undefined;
    const view = new DataView(buffer.buffer, buffer.byteOffset);
    const length = extended === 0
      ? short
      : extended === 2
      ? view.getUint16(2)
      : Math.min(Number(view.getBigUint64(2)), Number.MAX_SAFE_INTEGER);
    if (control && length > 125) return protocol("Control frame is too long");
    const total = control ? length : this.#fragmented + length;
    if (total > MAX_CLIENT_FRAME_BYTES) {
      return { code: 1009, reason: "Frame too big" };
    }
    const start = 2 + extended + 4;
    if (buffer.length < start + length) return undefined;
    const mask = buffer.subarray(start - 4, start);
    const payload = buffer.slice(start, start + length);
    for (let i = 0; i < length; i++) payload[i]! ^= mask[i % 4]!;
    this.#buffer = buffer.subarray(start + length);
    if (!control) {
      this.#inMessage = !fin;
      this.#fragmented = fin ? 0 : total;
    }
    return { fin, opcode, payload };
  }
}

function protocol(reason: string): FrameProblem {
  return { code: 1002, reason };
}
