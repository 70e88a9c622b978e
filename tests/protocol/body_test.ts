import assert from "node:assert/strict";
import { streamOf } from "./_streams.ts";
import { readBoundedText } from "../../protocol/body.ts";
import { seededRandom } from "../../util/random.ts";

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

Deno.test("readBoundedText() reads a body with a Content-Length within the limit in one go, to the same text", async () => {
  const random = seededRandom(21);
  const alphabet = ["a", "é", "€", "😀", "{", "\n"];
  for (let trial = 0; trial < 100; trial++) {
    const text = Array.from(
      { length: Math.floor(random() * 40) },
      () => alphabet[Math.floor(random() * alphabet.length)],
    ).join("");
    const length = new TextEncoder().encode(text).byteLength;
    const limit = 1 + Math.floor(random() * 80);
    // Honest, or (made in code) shorter than the body: either way within the limit.
    const declared = random() < 0.5 ? length : Math.floor(random() * limit);
    let wholeReads = 0;
    const response = new Response(text, {
      headers: { "content-length": String(declared) },
    });
    const arrayBuffer = response.arrayBuffer.bind(response);
    response.arrayBuffer = () => {
      wholeReads++;
      return arrayBuffer();
    };
    const read = await readBoundedText(response, limit);
    assert.deepEqual(read, await readBoundedText(new Response(text), limit));
    assert.equal(wholeReads, declared <= limit ? 1 : 0);
  }
});

Deno.test("readBoundedText() read in one go still refuses bytes that are not UTF-8 when fatal", async () => {
  const bytes = new Uint8Array([0x7b, 0xff, 0x7d]);
  const response = new Response(bytes, { headers: { "content-length": "3" } });
  await assert.rejects(
    readBoundedText(response, 10, { fatal: true }),
    TypeError,
  );
});

Deno.test("readBoundedText() reads a network body with its Content-Length over a socket", async () => {
  const body = JSON.stringify({ id: "job-1", note: "é".repeat(50) });
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) =>
      new Response(JSON.stringify(await readBoundedText(request, 1_000))),
  );
  const response = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
    method: "POST",
    body,
  });
  assert.deepEqual(await readBoundedText(response), {
    text: JSON.stringify({ text: body, truncated: false }),
    truncated: false,
  });
});
