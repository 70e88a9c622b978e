import assert from "node:assert/strict";
import { streamOf } from "./_streams.ts";
import { readBoundedText } from "../../protocol/body.ts";

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
