import assert from "node:assert/strict";
import { bytesOf, endless, streamOf } from "./_streams.ts";
import {
  EventStreamLimitError,
  MAX_EVENT_STREAM_EVENT_BYTES,
  MAX_EVENT_STREAM_LINE_BYTES,
  readServerSentEvents,
  type ServerSentEvent,
} from "../../protocol/sse.ts";
import { seededRandom } from "../../util/random.ts";

async function collect(chunks: string[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(streamOf(chunks))) {
    events.push(event);
  }
  return events;
}

Deno.test("readServerSentEvents() dispatches events split anywhere", async () => {
  const text =
    ': hello\n\nevent: status\nid: 1\ndata: {"a":\ndata: 1}\n\ndata: plain\r\n\r\nevent: x\ndata\n\n';
  const expected = [
    { event: "status", data: '{"a":\n1}', id: "1", retry: undefined },
    { event: "message", data: "plain", id: "1", retry: undefined },
    { event: "x", data: "", id: "1", retry: undefined },
  ];
  assert.deepEqual(await collect([text]), expected);
  // Every split point, including between "\r" and "\n".
  for (let cut = 1; cut < text.length; cut++) {
    assert.deepEqual(
      await collect([text.slice(0, cut), text.slice(cut)]),
      expected,
      `cut at ${cut}`,
    );
  }
});

Deno.test("readServerSentEvents() drops an unfinished event and reports activity", async () => {
  let activity = 0;
  const events: ServerSentEvent[] = [];
  for await (
    const event of readServerSentEvents(
      streamOf([": ping\n\n", "data: half"]),
      { onActivity: () => activity++ },
    )
  ) events.push(event);
  assert.deepEqual(events, []);
  assert.equal(activity, 2);
});

Deno.test("readServerSentEvents() carries the last id and retry over later events", async () => {
  const events = await collect([
    "retry: 2500\nid: a\ndata: 1\n\n",
    "retry: soon\ndata: 2\n\n",
    "id: b\nretry: 4000\ndata: 3\n\n",
    "id\ndata: 4\n\n",
  ]);
  assert.deepEqual(
    events.map(({ data, id, retry }) => [data, id, retry]),
    [["1", "a", 2500], ["2", "a", 2500], ["3", "b", 4000], ["4", "", 4000]],
  );
});

Deno.test("readServerSentEvents() stops an endless line at its limit", async (t) => {
  for (const limit of [undefined, 1000]) {
    await t.step(`limit ${limit ?? "default"}`, async () => {
      const cap = limit ?? MAX_EVENT_STREAM_LINE_BYTES;
      const chunk = "x".repeat(64 * 1024);
      const source = endless(chunk);
      await assert.rejects(
        Array.fromAsync(
          readServerSentEvents(source.stream, { maxLineBytes: limit }),
        ),
        (error) =>
          error instanceof EventStreamLimitError && error.what === "line" &&
          error.limit === cap,
      );
      assert.ok(source.pulled() <= cap + chunk.length, `${source.pulled()}`);
      assert.ok(source.cancelled());
    });
  }
});

Deno.test("readServerSentEvents() stops an endless event at its limit", async (t) => {
  const cases = [
    ["data lines", "data: " + "y".repeat(100) + "\n"],
    ["other fields", "event: status\nid: 1\nretry: 10\nfoo: bar\n"],
  ];
  for (const [name, lines] of cases) {
    await t.step(name, async () => {
      const chunk = lines.repeat(500);
      const source = endless(chunk);
      await assert.rejects(
        Array.fromAsync(readServerSentEvents(source.stream)),
        (error) =>
          error instanceof EventStreamLimitError && error.what === "event" &&
          error.limit === MAX_EVENT_STREAM_EVENT_BYTES,
      );
      assert.ok(
        source.pulled() <= MAX_EVENT_STREAM_EVENT_BYTES + chunk.length,
        `${source.pulled()}`,
      );
      assert.ok(source.cancelled());
    });
  }
});

Deno.test("readServerSentEvents() keeps reading heartbeats and events that fit, forever", async () => {
  const source = endless(': heartbeat\n\ndata: {"result":"pending"}\n\n');
  let events = 0;
  for await (const _ of readServerSentEvents(source.stream)) {
    if (++events === 100_000) break;
  }
  assert.ok(source.pulled() > 2 * MAX_EVENT_STREAM_EVENT_BYTES);
  assert.ok(source.cancelled());
});

Deno.test("readServerSentEvents() counts a line's bytes, not its characters, across chunks", async () => {
  // 2-, 3- and 4-byte characters: 9 bytes, 3 characters.
  const text = "é€😀";
  const line = new TextEncoder().encode(`data:${text}\n\n`);
  for (let cut = 1; cut < line.length; cut++) {
    const read = (maxLineBytes: number) =>
      Array.fromAsync(
        readServerSentEvents(
          bytesOf([line.subarray(0, cut), line.subarray(cut)]),
          { maxLineBytes },
        ),
      );
    assert.deepEqual(
      (await read(5 + 9)).map((event) => event.data),
      [text],
      `cut at ${cut}`,
    );
    await assert.rejects(read(5 + 8), EventStreamLimitError, `cut at ${cut}`);
  }
});

Deno.test("readServerSentEvents() reads the same events however the bytes are cut", async () => {
  const random = seededRandom(10);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const ends = ["\n", "\r", "\r\n"];
  const values = ["", "pending", "é€😀", " lead", "a:b", "\uFEFFmid"];
  for (let run = 0; run < 200; run++) {
    let text = run % 2 === 0 ? "\uFEFF" : "";
    const lines = Math.floor(random() * 12);
    for (let i = 0; i < lines; i++) {
      text += pick([
        () => `data: ${pick(values)}`,
        () => `event: ${pick(values)}`,
        () => `id: ${pick(values)}`,
        () => `retry: ${Math.floor(random() * 5000)}`,
        () => `: ${pick(values)}`,
        () => "",
      ])() + pick(ends);
    }
    const bytes = new TextEncoder().encode(text + "\n\n");
    const whole = await Array.fromAsync(readServerSentEvents(bytesOf([bytes])));
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * 6);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    assert.deepEqual(
      await Array.fromAsync(readServerSentEvents(bytesOf(chunks))),
      whole,
      JSON.stringify(text),
    );
  }
});

Deno.test("readServerSentEvents() never pulls more than a limit and a chunk past a line's or an event's start", async () => {
  const random = seededRandom(11);
  for (let run = 0; run < 100; run++) {
    const maxLineBytes = 16 + Math.floor(random() * 200);
    const maxEventBytes = 16 + Math.floor(random() * 400);
    const line = random() < 0.5
      ? "z".repeat(1 + Math.floor(random() * 300))
      : `data: ${"€".repeat(Math.floor(random() * 10))}\n`;
    const source = endless(line);
    await assert.rejects(
      Array.fromAsync(
        readServerSentEvents(source.stream, { maxLineBytes, maxEventBytes }),
      ),
      EventStreamLimitError,
    );
    const chunk = new TextEncoder().encode(line).length;
    assert.ok(
      source.pulled() <= Math.max(maxLineBytes, maxEventBytes) + chunk,
      `run ${run}: ${source.pulled()}`,
    );
  }
});
