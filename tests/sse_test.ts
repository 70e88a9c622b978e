import assert from "node:assert/strict";
import { readServerSentEvents, type ServerSentEvent } from "../protocol/sse.ts";
import { readBoundedText } from "../protocol/body.ts";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

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
    { event: "status", data: '{"a":\n1}', id: "1" },
    { event: "message", data: "plain", id: "1" },
    { event: "x", data: "", id: "1" },
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
      () => activity++,
    )
  ) events.push(event);
  assert.deepEqual(events, []);
  assert.equal(activity, 2);
});

Deno.test("readBoundedText() stops reading past the limit", async () => {
  const small = await readBoundedText(new Response("héllo"), 10);
  assert.deepEqual(small, { text: "héllo", truncated: false });
  const large = await readBoundedText(
    new Response(streamOf(["abc", "defgh", "ijk"])),
    6,
  );
  assert.deepEqual(large, { text: "abcdef", truncated: true });
  assert.deepEqual(await readBoundedText(new Response(null)), {
    text: "",
    truncated: false,
  });
});
