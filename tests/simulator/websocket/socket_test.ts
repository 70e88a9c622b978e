import assert from "node:assert/strict";
import {
  closePayload,
  encodeFrame,
  OPCODE,
} from "../../../simulator/websocket/frames.ts";
import {
  type ByteChannel,
  ServerWebSocket,
} from "../../../simulator/websocket/socket.ts";

const MASK = new Uint8Array([1, 2, 3, 4]);

/** A connection in memory: the test sends the client's bytes and reads the server's frames. */
class Pipe implements ByteChannel {
  written: Uint8Array[] = [];
  closed = false;
  #incoming: (Uint8Array | null)[] = [];
  #wake: (() => void) | undefined;

  send(bytes: Uint8Array | null): void {
    this.#incoming.push(bytes);
    this.#wake?.();
  }

  async read(): Promise<Uint8Array | null> {
    while (this.#incoming.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    return this.closed ? null : this.#incoming.shift()!;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error("closed"));
    this.written.push(bytes);
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
    this.#wake?.();
  }

  /** Each frame written as [opcode, payload bytes]. */
  frames(): [number, number[]][] {
    return this.written.map((
      frame,
    ) => [frame[0]! & 0x0f, [...frame.subarray(2)]]);
  }
}

const code = (n: number): number[] => [n >> 8, n & 0xff];

Deno.test("ServerWebSocket answers a ping with a pong of the same payload", async () => {
  const pipe = new Pipe();
  const socket = new ServerWebSocket(pipe);
  pipe.send(encodeFrame(OPCODE.ping, new Uint8Array([5, 6]), MASK));
  // A text message from the client is read and dropped.
  pipe.send(encodeFrame(OPCODE.text, new Uint8Array([0x68]), MASK));
  pipe.send(null);
  await socket.done;
  assert.deepEqual(pipe.frames(), [[OPCODE.pong, [5, 6]]]);
  assert.ok(pipe.closed);
});

Deno.test("ServerWebSocket echoes the client's close and ends the connection", async () => {
  const pipe = new Pipe();
  const socket = new ServerWebSocket(pipe);
  socket.send("a");
  pipe.send(encodeFrame(OPCODE.close, closePayload(4000, "bye"), MASK));
  await socket.done;
  assert.deepEqual(pipe.frames(), [
    [OPCODE.text, [0x61]],
    [OPCODE.close, code(4000)],
  ]);
  assert.ok(pipe.closed);
  socket.send("late");
  assert.equal(pipe.written.length, 2, "nothing is sent after the close");
});

Deno.test("ServerWebSocket closes with 1002 on an unmasked frame and 1009 on an oversized one", async () => {
  for (
    const [bytes, expected] of [
      [encodeFrame(OPCODE.text, new Uint8Array([1])), 1002],
      [encodeFrame(OPCODE.text, new Uint8Array(5_000), MASK), 1009],
    ] as const
  ) {
    const pipe = new Pipe();
    const socket = new ServerWebSocket(pipe);
    pipe.send(bytes);
    await socket.done;
    const [[opcode, payload]] = pipe.frames() as [[number, number[]]];
    assert.equal(opcode, OPCODE.close);
    assert.deepEqual(payload.slice(0, 2), code(expected));
    assert.ok(pipe.closed);
  }
});

Deno.test("ServerWebSocket ends the connection when the client answers its close", async () => {
  const pipe = new Pipe();
  const socket = new ServerWebSocket(pipe);
  socket.close(1001, "going");
  assert.ok(socket.closing);
  assert.ok(!pipe.closed, "it waits for the client's answer");
  pipe.send(encodeFrame(OPCODE.close, closePayload(1001, ""), MASK));
  await socket.done;
  assert.deepEqual(pipe.frames(), [[
    OPCODE.close,
    [...closePayload(1001, "going")],
  ]]);
  assert.ok(pipe.closed);
});

Deno.test("ServerWebSocket drops the connection when the client never answers its close", async () => {
  const pipe = new Pipe();
  const socket = new ServerWebSocket(pipe, 10);
  socket.close(1000);
  await socket.done;
  assert.ok(pipe.closed);
});

Deno.test("ServerWebSocket ends when a write fails", async () => {
  const pipe = new Pipe();
  pipe.write = () => Promise.reject(new Error("reset"));
  const socket = new ServerWebSocket(pipe);
  socket.send("a");
  await socket.done;
  assert.ok(pipe.closed);
});
