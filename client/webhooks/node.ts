/**
 * The webhook receiver for `node:http` and Express: a `(req, res)` listener
 * around its `fetch` handler. The types are structural (what the listener
 * uses of Node's `IncomingMessage` and `ServerResponse`), so the client
 * stays free of Node's modules.
 *
 * @module
 */

/**
 * What {@linkcode toNodeListener} uses of a `node:http` `IncomingMessage`:
 * its method, URL, headers and body chunks.
 *
 * @example
 * ```ts
 * import type { NodeRequestLike } from "./node.ts";
 *
 * const request: NodeRequestLike = {
 *   method: "POST",
 *   url: "/hooks",
 *   headers: { host: "localhost" },
 *   async *[Symbol.asyncIterator]() {
 *     yield new TextEncoder().encode("{}");
 *   },
 * };
 * ```
 */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  /** The request method. */
  readonly method?: string;
  /** The request target (path and query). */
  readonly url?: string;
  /** The headers, lower-case names; repeated ones as arrays. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * What {@linkcode toNodeListener} uses of a `node:http` `ServerResponse`.
 *
 * @example
 * ```ts
 * import type { NodeResponseLike } from "./node.ts";
 *
 * const response: NodeResponseLike = {
 *   statusCode: 200,
 *   setHeader() {},
 *   end() {},
 * };
 * ```
 */
export interface NodeResponseLike {
  /** The status to send. */
  statusCode: number;
  /** Sets a header to send. */
  setHeader(name: string, value: string): unknown;
  /** Sends the body (if any) and ends the response. */
  end(body?: string): unknown;
}

/** What {@linkcode toNodeListener} adapts: anything with a `fetch` handler. */
export interface FetchHandler {
  /** Answers a request. */
  fetch(request: Request): Promise<Response>;
}

/** The body of a Node request as a stream that reads only as fast as it is pulled, so a size cap stops the reading. */
function bodyStream(request: NodeRequestLike): ReadableStream<Uint8Array> {
  const chunks = request[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else {
        controller.enqueue(
          typeof value === "string" ? encoder.encode(value) : value,
        );
      }
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}

function toRequest(request: NodeRequestLike): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const each of [value].flat()) headers.append(name, each);
  }
  const method = request.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(
    new URL(request.url ?? "/", `http://${headers.get("host") ?? "localhost"}`),
    {
      method,
      headers,
      body: hasBody ? bodyStream(request) : null,
      // Node's fetch requires it for a streamed body; other runtimes ignore it.
      duplex: "half",
    } as RequestInit,
  );
}

/**
 * Adapts a webhook receiver (or any `fetch` handler) to `node:http` and
 * Express: `http.createServer(toNodeListener(receiver))`, or
 * `app.post("/hooks", toNodeListener(receiver))`. Mount it before any body
 * parser (such as `express.json()`): the signature covers the exact bytes
 * sent. A handler that throws answers `500`.
 *
 * @example Serve webhooks with node:http
 * ```ts ignore
 * import { createServer } from "node:http";
 * import { createWebhookReceiver, toNodeListener } from "video-status-client";
 *
 * const receiver = createWebhookReceiver({ secret: process.env.WEBHOOK_SECRET });
 * createServer(toNodeListener(receiver)).listen(8080);
 * ```
 *
 * @example Call it with a request-like object
 * ```ts
 * import { toNodeListener } from "./node.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = toNodeListener({
 *   fetch: (request) => Promise.resolve(new Response(request.method, { status: 202 })),
 * });
 * const sent: { body?: string } = {};
 * listener(
 *   { method: "POST", url: "/", headers: {}, async *[Symbol.asyncIterator]() {} },
 *   { statusCode: 200, setHeader() {}, end(body) { sent.body = body; } },
 * );
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * assert.equal(sent.body, "POST");
 * ```
 *
 * @param handler The receiver.
 * @returns A `(req, res)` listener.
 */
export function toNodeListener(
  handler: FetchHandler,
): (request: NodeRequestLike, response: NodeResponseLike) => void {
  return (request, response) => {
    (async () => {
      const answer = await handler.fetch(toRequest(request));
      response.statusCode = answer.status;
      answer.headers.forEach((value, name) => response.setHeader(name, value));
      response.end(await answer.text());
    })().catch(() => {
      response.statusCode = 500;
      response.end();
    });
  };
}
