/**
 * The HTTP/1.1 wire format (RFC 9112) as far as the Deno adapter needs it:
 * reading a request head and writing a response head. Kept apart from the
 * socket code so that it can be tested byte by byte.
 *
 * @module
 */

/**
 * The largest request head read, as Node.js's `--max-http-header-size`
 * default; a longer one is answered `431`.
 *
 * @example
 * ```ts
 * import { MAX_HEAD_BYTES } from "./http1.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_HEAD_BYTES, 16_384);
 * ```
 */
export const MAX_HEAD_BYTES = 16_384;

/**
 * A parsed request head.
 *
 * @example
 * ```ts
 * import type { RequestHead } from "./http1.ts";
 *
 * const head: RequestHead = {
 *   method: "GET",
 *   target: "/status",
 *   version: "HTTP/1.1",
 *   headers: [["Host", "localhost"]],
 * };
 * ```
 */
export interface RequestHead {
  /** The method, a token. */
  readonly method: string;
  /** The request target as sent. */
  readonly target: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  readonly version: string;
  /** The header fields as sent, names and values, values trimmed. */
  readonly headers: readonly [string, string][];
}

/**
 * The value of a request header (the first, when there are several).
 *
 * @example
 * ```ts
 * import { headerOf } from "./http1.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(headerOf([["Host", "a"]], "host"), "a");
 * assert.equal(headerOf([], "host"), null);
 * ```
 *
 * @param headers The header fields.
 * @param name A lower-case name.
 * @returns The value, or `null`.
 */
export function headerOf(
  headers: readonly [string, string][],
  name: string,
): string | null {
  for (const [key, value] of headers) {
    if (key.length === name.length && key.toLowerCase() === name) return value;
  }
  return null;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The methods Node.js's HTTP parser reads (its `http.METHODS`); it answers
 * `400` to any other, so this adapter does too and both answer alike.
 */
const METHODS = new Set(
  ("ACL BIND CHECKOUT CONNECT COPY DELETE GET HEAD LINK LOCK M-SEARCH MERGE " +
    "MKACTIVITY MKCALENDAR MKCOL MOVE NOTIFY OPTIONS PATCH POST PROPFIND " +
    "PROPPATCH PURGE PUT QUERY REBIND REPORT SEARCH SOURCE SUBSCRIBE TRACE " +
    "UNBIND UNLINK UNLOCK UNSUBSCRIBE").split(" "),
);
const decoder = new TextDecoder("latin1");

/**
 * Parses a request head (without its final empty line).
 *
 * @example
 * ```ts
 * import { parseHead } from "./http1.ts";
 * import assert from "node:assert/strict";
 *
 * const head = parseHead(new TextEncoder().encode("GET /status HTTP/1.1\r\nHost: a"));
 * assert.deepEqual(typeof head === "object" && head.headers, [["Host", "a"]]);
 * assert.equal(parseHead(new TextEncoder().encode("GET\r\n")), "Cannot read the request line");
 * assert.match(String(parseHead(new TextEncoder().encode("FOO / HTTP/1.1"))), /not an HTTP method/);
 * ```
 *
 * @param bytes The head's bytes, up to the `\r\n\r\n` that ends it.
 * @returns The head, or what is wrong with it.
 */
export function parseHead(bytes: Uint8Array): RequestHead | string {
  const lines = decoder.decode(bytes).split("\r\n");
  const parts = lines[0]!.split(" ");
  const [method = "", target = "", version = ""] = parts;
  if (
    parts.length !== 3 || !TOKEN.test(method) || target === "" ||
    !/^HTTP\/1\.[01]$/.test(version)
  ) return "Cannot read the request line";
  if (!METHODS.has(method)) {
    return "Cannot read the request as its method is not an HTTP method";
  }
  // Their values are checked when the Request is built from them.
  const headers: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon < 1 || !TOKEN.test(name)) return "Cannot read a header field";
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return { method, target, version, headers };
}

/**
 * Whether the fetch standard forbids a method in a `Request` (CONNECT,
 * TRACE, TRACK). Deno and Node.js refuse to build such a Request and Bun
 * builds it; both adapters ask this first so that all answer `400` alike.
 *
 * @example
 * ```ts
 * import { isForbiddenMethod } from "./http1.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isForbiddenMethod("trace"), true);
 * assert.equal(isForbiddenMethod("GET"), false);
 * ```
 *
 * @param method The request's method.
 * @returns `true` for CONNECT, TRACE and TRACK, in any case.
 */
export function isForbiddenMethod(method: string): boolean {
  return /^(?:CONNECT|TRACE|TRACK)$/i.test(method);
}

/**
 * The absolute URL of a request target: the `Host` header's authority (or
 * the listening address when it has none or a malformed one) in front of the
 * target as sent, so that `//status` stays a path and is not read as a host.
 *
 * @example
 * ```ts
 * import { requestUrl } from "./http1.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(requestUrl("//status", "a:1", "127.0.0.1:2"), "http://a:1//status");
 * assert.equal(requestUrl("/s", "a b", "127.0.0.1:2"), "http://127.0.0.1:2/s");
 * assert.equal(requestUrl("http://b/s", "a", "c"), "http://b/s");
 * ```
 *
 * @param target The request target.
 * @param host The `Host` header, or `null`.
 * @param fallback The authority to use instead of a bad `Host`.
 * @returns The URL, or `undefined` when the target is no origin- or
 * absolute-form.
 */
export function requestUrl(
  target: string,
  host: string | null,
  fallback: string,
): string | undefined {
  if (/^https?:\/\//i.test(target)) {
    return URL.canParse(target) ? target : undefined;
  }
  if (!target.startsWith("/")) return undefined;
  const authority = host !== null && /^[A-Za-z0-9.:[\]_-]+$/.test(host)
    ? host
    : fallback;
  const url = `http://${authority}${target}`;
  return URL.canParse(url) ? url : `http://${fallback}${target}`;
}

const REASONS: Readonly<Record<number, string>> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

/**
 * How a response body is delimited on the wire.
 *
 * @example
 * ```ts
 * import type { Framing } from "./http1.ts";
 *
 * const framing: Framing = { length: 12 };
 * ```
 */
export type Framing =
  | { readonly length: number }
  | "chunked"
  | "close"
  | "none";

/**
 * Encodes a response head. The handler's own `Content-Length`,
 * `Transfer-Encoding` and `Connection` give way to the framing chosen here,
 * except a `HEAD` answer's `Content-Length`, which tells the `GET` body's.
 *
 * @example
 * ```ts
 * import { responseHead } from "./http1.ts";
 * import assert from "node:assert/strict";
 *
 * const head = responseHead(200, new Headers({ "x-a": "1" }), { length: 2 }, true);
 * assert.equal(
 *   new TextDecoder().decode(head),
 *   "HTTP/1.1 200 OK\r\nx-a: 1\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n",
 * );
 * ```
 *
 * @param status The status code.
 * @param headers The handler's headers.
 * @param framing How the body is delimited.
 * @param keepAlive Whether the connection stays open after this response.
 * @returns The head's bytes.
 */
export function responseHead(
  status: number,
  headers: Headers,
  framing: Framing,
  keepAlive: boolean,
): Uint8Array {
  let text = `HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}\r\n`;
  for (const [name, value] of headers) {
    if (name === "transfer-encoding" || name === "connection") continue;
    if (name === "content-length" && framing !== "none") continue;
    text += `${name}: ${value}\r\n`;
  }
  if (framing === "chunked") text += "transfer-encoding: chunked\r\n";
  else if (typeof framing === "object") {
    text += `content-length: ${framing.length}\r\n`;
  }
  text += `connection: ${keepAlive ? "keep-alive" : "close"}\r\n\r\n`;
  return new TextEncoder().encode(text);
}
