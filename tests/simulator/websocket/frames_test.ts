import assert from "node:assert/strict";
import {
  closePayload,
  encodeFrame,
  type Frame,
  FrameDecoder,
  MAX_CLIENT_FRAME_BYTES,
  OPCODE,
} from "../../../simulator/websocket/frames.ts";
import { seededRandom } from "../../../util/random.ts";

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

function join(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(parts.flatMap((part) => [...part]));
}

/** Decodes `bytes` pushed in pieces cut where `cut` says. */
function decodeSplit(
  bytes: Uint8Array,
  cut: () => number,
): Frame[] | { code: number } {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const end = Math.min(bytes.length, offset + cut());
    const read = decoder.push(bytes.subarray(offset, end));
    if (!Array.isArray(read)) return read;
    frames.push(...read);
    offset = end;
  }
  return frames;
}

Deno.test("FrameDecoder reads the same frames however the bytes are split (seeded)", () => {
  const random = seededRandom(6455);
  const opcodes = [OPCODE.text, OPCODE.binary, OPCODE.ping, OPCODE.pong];
  for (let round = 0; round < 150; round++) {
    const sent: { opcode: number; payload: Uint8Array }[] = [];
    for (let i = 0, n = 1 + Math.floor(random() * 5); i < n; i++) {
      const opcode = opcodes[Math.floor(random() * opcodes.length)]!;
      // Often at the edges of the 7-bit length (125) and the 16-bit one.
      const max = opcode >= 0x8 ? 125 : MAX_CLIENT_FRAME_BYTES;
      const edges = [0, 1, 125, 126, 127];
      const length = random() < 0.3
        ? Math.min(max, edges[Math.floor(random() * edges.length)]!)
        : Math.floor(random() * (max + 1));
      const payload = new Uint8Array(length);
      for (let j = 0; j < length; j++) payload[j] = Math.floor(random() * 256);
      sent.push({ opcode, payload });
    }
    const mask = new Uint8Array(4).map(() => Math.floor(random() * 256));
    const bytes = join(sent.map((f) => encodeFrame(f.opcode, f.payload, mask)));
    const whole = decodeSplit(bytes, () => bytes.length);
    const pieces = decodeSplit(bytes, () => 1 + Math.floor(random() * 40));
    const bytewise = decodeSplit(bytes, () => 1);
    const expected = sent.map((f) => ({ fin: true, ...f }));
    assert.deepEqual(whole, expected, `round ${round}`);
    assert.deepEqual(pieces, expected, `round ${round}`);
    assert.deepEqual(bytewise, expected, `round ${round}`);
  }
});

Deno.test("encodeFrame writes the 16-bit and 64-bit lengths RFC 6455 asks for, unmasked", () => {
  const medium = encodeFrame(OPCODE.text, new Uint8Array(300));
  assert.deepEqual([...medium.subarray(0, 4)], [0x81, 126, 1, 44]);
  assert.equal(medium.length, 4 + 300);
  const large = encodeFrame(OPCODE.binary, new Uint8Array(70_000));
  assert.deepEqual(
    [...large.subarray(0, 10)],
    [0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70],
  );
});

Deno.test("FrameDecoder reads a fragmented message and a ping between its fragments", () => {
  const first = encodeFrame(OPCODE.text, new Uint8Array([1]), MASK);
  first[0] = OPCODE.text; // FIN off
  const ping = encodeFrame(OPCODE.ping, new Uint8Array([9]), MASK);
  const last = encodeFrame(OPCODE.continuation, new Uint8Array([2]), MASK);
  const frames = new FrameDecoder().push(join([first, ping, last]));
  assert.deepEqual(
    (frames as Frame[]).map((f) => [f.fin, f.opcode, ...f.payload]),
    [[false, 1, 1], [true, 9, 9], [true, 0, 2]],
  );
});

Deno.test("FrameDecoder refuses what a client must not send with 1002, and too much with 1009", () => {
  const cases: [string, Uint8Array, number][] = [
    ["unmasked", encodeFrame(OPCODE.text, new Uint8Array([1])), 1002],
    [
      "reserved bit",
      (() => {
        const frame = encodeFrame(OPCODE.text, new Uint8Array(), MASK);
        frame[0]! |= 0x40;
        return frame;
      })(),
      1002,
    ],
    ["unknown opcode", encodeFrame(0x3, new Uint8Array(), MASK), 1002],
    [
      "stray continuation",
      encodeFrame(OPCODE.continuation, new Uint8Array(), MASK),
      1002,
    ],
    [
      "fragmented control",
      (() => {
        const frame = encodeFrame(OPCODE.ping, new Uint8Array(), MASK);
        frame[0] = OPCODE.ping;
        return frame;
      })(),
      1002,
    ],
    ["long control", encodeFrame(OPCODE.ping, new Uint8Array(126), MASK), 1002],
    [
      "too big",
      encodeFrame(
        OPCODE.text,
        new Uint8Array(MAX_CLIENT_FRAME_BYTES + 1),
        MASK,
      ),
      1009,
    ],
    // Only the head is needed to refuse: 2^40 bytes announced.
    ["huge", new Uint8Array([0x81, 0xff, 0, 0, 1, 0, 0, 0, 0, 0]), 1009],
  ];
  for (const [name, bytes, code] of cases) {
    const read = new FrameDecoder().push(bytes);
    assert.ok(!Array.isArray(read), name);
    assert.equal(read.code, code, name);
  }
  const fragments = new FrameDecoder();
  const half = new Uint8Array(MAX_CLIENT_FRAME_BYTES / 2 + 1);
  const first = encodeFrame(OPCODE.text, half, MASK);
  first[0] = OPCODE.text;
  assert.equal((fragments.push(first) as Frame[]).length, 1);
  const read = fragments.push(encodeFrame(OPCODE.continuation, half, MASK));
  assert.equal((read as { code: number }).code, 1009);
  assert.equal(
    (fragments.push(encodeFrame(OPCODE.ping, new Uint8Array(), MASK)) as {
      code: number;
    }).code,
    1009,
    "it reads nothing more after a problem",
  );
});

Deno.test("closePayload cuts a long reason to fit a control frame", () => {
  const payload = closePayload(1001, "é".repeat(100));
  assert.ok(payload.length <= 125);
  assert.deepEqual([...payload.subarray(0, 2)], [0x03, 0xe9]);
});
