import assert from "node:assert/strict";
import { readBoundedText } from "../../protocol/body.ts";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

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
