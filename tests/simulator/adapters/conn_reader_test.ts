import assert from "node:assert/strict";
import { ConnReader } from "../../../simulator/adapters/conn_reader.ts";
import { MAX_HEAD_BYTES } from "../../../simulator/adapters/http1.ts";
import { seededRandom } from "../../../util/random.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A socket that gives `bytes` in the given chunk sizes, then ends. */
function chunked(bytes: Uint8Array, sizes: () => number): ConnReader {
  let offset = 0;
  return new ConnReader({
    read(buffer) {
      if (offset >= bytes.length) return Promise.resolve(null);
      const n = Math.min(sizes(), buffer.length, bytes.length - offset);
      buffer.set(bytes.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
  });
}

/** Encodes a body in chunks of the given sizes, with a trailer at the end. */
function chunkedBody(body: string, sizes: () => number): string {
  let text = "";
  for (let i = 0; i < body.length;) {
    const part = body.slice(i, i + Math.max(1, sizes()));
    text += `${part.length.toString(16)};ext=1\r\n${part}\r\n`;
    i += part.length;
  }
  return `${text}0\r\nx-trailer: 1\r\n\r\n`;
}

Deno.test("ConnReader reads the same heads and bodies however the bytes are split (seeded)", async () => {
  const random = seededRandom(9);
  const size = (max: number) => () => 1 + Math.floor(random() * max);
  for (let round = 0; round < 200; round++) {
    const requests: { head: string; body: string; chunked: boolean }[] = [];
    let wire = "";
    for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) {
      const body = "b".repeat(Math.floor(random() * 3_000)) + `#${i}`;
      const isChunked = random() < 0.5;
      const head = `POST /jobs/${i} HTTP/1.1\r\nHost: a\r\n` +
        (isChunked
          ? "Transfer-Encoding: chunked"
          : `Content-Length: ${body.length}`);
      requests.push({ head, body, chunked: isChunked });
      wire += `${i % 2 === 0 ? "" : "\r\n"}${head}\r\n\r\n` +
        (isChunked ? chunkedBody(body, size(700)) : body);
    }
    const reader = chunked(
      encoder.encode(wire),
      size(random() < 0.3 ? 3 : 5_000),
    );
    for (const request of requests) {
      const head = await reader.readHead();
      assert.ok(head instanceof Uint8Array, `round ${round}: ${head}`);
      assert.equal(decoder.decode(head), request.head);
      let done = false;
      const stream = reader.body(
        request.chunked ? "chunked" : request.body.length,
        () => done = true,
      );
      assert.equal(await new Response(stream).text(), request.body);
      assert.ok(done);
    }
    assert.equal(await reader.readHead(), null);
  }
});

Deno.test("ConnReader tells an incomplete, an oversized and a cut request", async () => {
  const empty = chunked(new Uint8Array(), () => 1);
  assert.equal(await empty.readHead(), null);
  const half = chunked(encoder.encode("GET / HTTP/1.1\r\nHo"), () => 5);
  assert.equal(await half.readHead(), "incomplete");
  const huge = chunked(
    encoder.encode("GET / HTTP/1.1\r\nX: " + "x".repeat(MAX_HEAD_BYTES)),
    () => 4_096,
  );
  assert.equal(await huge.readHead(), "too large");
  const cut = chunked(encoder.encode("POST / HTTP/1.1\r\n\r\nab"), () => 100);
  await cut.readHead();
  await assert.rejects(new Response(cut.body(10, () => {})).text());
  const bad = chunked(
    encoder.encode("POST / HTTP/1.1\r\n\r\nzz\r\n"),
    () => 100,
  );
  await bad.readHead();
  await assert.rejects(new Response(bad.body("chunked", () => {})).text());
});
