import assert from "node:assert/strict";
import {
  acceptKey,
  asksForWebSocket,
  checkHandshake,
  switchingHead,
} from "../../../simulator/websocket/handshake.ts";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const GOOD = {
  Upgrade: "websocket",
  Connection: "keep-alive, Upgrade",
  "Sec-WebSocket-Key": KEY,
  "Sec-WebSocket-Version": "13",
};

function request(
  headers: Record<string, string>,
  method = "GET",
): Request {
  return new Request("http://localhost/status", { method, headers });
}

Deno.test("acceptKey gives RFC 6455's accept value for its example key", async () => {
  assert.equal(await acceptKey(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

Deno.test("asksForWebSocket reads the Upgrade tokens, case-insensitively", () => {
  assert.ok(asksForWebSocket(new Headers({ Upgrade: "h2c, WebSocket" })));
  assert.ok(!asksForWebSocket(new Headers({ Upgrade: "websockets" })));
  assert.ok(!asksForWebSocket(new Headers({ Upgrade: "h2c" })));
});

Deno.test("checkHandshake takes a correct request and refuses each flaw", async () => {
  assert.equal(checkHandshake(request(GOOD)), KEY);
  const flaws: [string, Request, number][] = [
    ["POST", request(GOOD, "POST"), 400],
    ["no Connection: Upgrade", request({ ...GOOD, Connection: "close" }), 400],
    ["version 8", request({ ...GOOD, "Sec-WebSocket-Version": "8" }), 426],
    ["short key", request({ ...GOOD, "Sec-WebSocket-Key": "c2hvcnQ=" }), 400],
  ];
  for (const [name, flawed, status] of flaws) {
    const answer = checkHandshake(flawed);
    assert.ok(answer instanceof Response, name);
    assert.equal(answer.status, status, name);
    if (status === 426) {
      assert.equal(answer.headers.get("sec-websocket-version"), "13");
    }
    await answer.body?.cancel();
  }
});

Deno.test("switchingHead answers 101 with the accept value", () => {
  assert.equal(
    new TextDecoder().decode(switchingHead("abc=")),
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
      "Connection: Upgrade\r\nSec-WebSocket-Accept: abc=\r\n\r\n",
  );
});
