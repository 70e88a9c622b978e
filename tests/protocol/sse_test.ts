import assert from "node:assert/strict";
import { streamOf } from "./_streams.ts";
import {
  readServerSentEvents,
  type ServerSentEvent,
} from "../../protocol/sse.ts";

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
      () => activity++,
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
