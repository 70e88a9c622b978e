/**
 * The server's half of the RFC 6455 opening handshake: which requests ask
 * for a WebSocket, the `Sec-WebSocket-Accept` value, the checks a request
 * must pass, and the `101` answer's head.
 *
 * @module
 */

import { errorResponse } from "../http.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * Whether a request asks to become a WebSocket (`Upgrade: websocket`),
 * whether or not it asks correctly.
 *
 * @example
 * ```ts
 * import { asksForWebSocket } from "./handshake.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(asksForWebSocket(new Headers({ Upgrade: "WebSocket" })));
 * assert.ok(!asksForWebSocket(new Headers()));
 * ```
 *
 * @param headers The request's headers.
 * @returns `true` when it names the `websocket` protocol in `Upgrade`.
 */
export function asksForWebSocket(headers: Headers): boolean {
  return hasToken(headers.get("upgrade"), "websocket");
}

/**
 * The `Sec-WebSocket-Accept` value for a key: base64(SHA-1(key + GUID)).
 *
 * @example RFC 6455's own example
 * ```ts
 * import { acceptKey } from "./handshake.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * ```
 *
 * @param key The client's `Sec-WebSocket-Key`.
 * @returns The value to answer.
 */
export async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(key + GUID),
  );
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/**
 * Checks an upgrade request as RFC 6455 section 4.2.1 asks: `GET`,
 * `Connection: Upgrade`, a `Sec-WebSocket-Key` of 16 bytes in base64 and
 * version 13.
 *
 * @example
 * ```ts
 * import { checkHandshake } from "./handshake.ts";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/status", {
 *   headers: {
 *     Upgrade: "websocket",
 *     Connection: "Upgrade",
 *     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
 *     "Sec-WebSocket-Version": "13",
 *   },
 * });
 * assert.equal(checkHandshake(request), "dGhlIHNhbXBsZSBub25jZQ==");
 * ```
 *
 * @param request The upgrade request.
 * @returns The key, or the refusal to answer: `400`, or `426` with the
 * version this server speaks.
 */
export function checkHandshake(request: Request): string | Response {
  const { headers } = request;
  const cannot = "Cannot open a WebSocket as the request";
  if (request.method !== "GET") {
    return errorResponse(400, `${cannot} method is not GET`);
  }
  if (!hasToken(headers.get("connection"), "upgrade")) {
    return errorResponse(400, `${cannot} has no 'Connection: Upgrade'`);
  }
  if (headers.get("sec-websocket-version")?.trim() !== "13") {
    return errorResponse(426, `${cannot} asks for a version other than 13`, {
      "Sec-WebSocket-Version": "13",
    });
  }
  const key = headers.get("sec-websocket-key")?.trim() ?? "";
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) {
    return errorResponse(400, `${cannot} has no 16-byte Sec-WebSocket-Key`);
  }
  return key;
}

/**
 * The head of the `101 Switching Protocols` answer; after it the
 * connection's bytes belong to the WebSocket.
 *
 * @example
 * ```ts
 * import { switchingHead } from "./handshake.ts";
 * import assert from "node:assert/strict";
 *
 * const head = new TextDecoder().decode(switchingHead("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
 * assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
 * assert.ok(head.endsWith("\r\n\r\n"));
 * ```
 *
 * @param accept The `Sec-WebSocket-Accept` value.
 * @returns The head's bytes.
 */
export function switchingHead(accept: string): Uint8Array {
  return new TextEncoder().encode(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
      `Connection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
}

/** Whether a comma-separated header holds `token` (case-insensitive). */
function hasToken(value: string | null, token: string): boolean {
  return (value ?? "").split(",").some((part) =>
    part.trim().toLowerCase() === token
  );
}
