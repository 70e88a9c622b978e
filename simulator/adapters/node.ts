/**
 * A small adapter that serves a `fetch`-style handler with `node:http`, for
 * Node.js 20 and later: streamed bodies both ways, `request.signal` aborted
 * when the client disconnects, and a body stream that errors dropping the
 * connection.
 *
 * @module
 */

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { isForbiddenMethod, requestUrl } from "./http1.ts";
import type {
  FetchHandler,
  Listener,
  ListenOptions,
  UpgradeHandler,
} from "./listener.ts";
import { writeResponse } from "./response_writer.ts";
import type { ByteChannel } from "../websocket/socket.ts";
import { asksForWebSocket } from "../websocket/handshake.ts";

/**
 * Serves `handler` with `node:http` (works in Node.js and in Deno), with
 * Node.js's own guards set from the limits: `headersTimeout`,
 * `keepAliveTimeout` and `maxConnections` (Deno's `node:http` ignores
 * these, which is why `serve()` uses the Deno adapter under Deno).
 *
 * @example Serve a handler on a free port
 * ```ts ignore
 * import { listenNode } from "./node.ts";
 * import { CONNECTION_DEFAULTS } from "./listener.ts";
 *
 * const listener = await listenNode(
 *   () => Promise.resolve(new Response("ok")),
 *   { port: 0, hostname: "127.0.0.1" },
 * );
 * console.log(await (await fetch(`http://127.0.0.1:${listener.port}/`)).text());
 * await listener.close();
 * ```
 *
 * @param handler The request handler.
 * @param options Where to listen.
 * @param upgrade What answers a `GET` with `Upgrade: websocket`; without it
 * such a connection is dropped.
 * @returns The listener, once bound.
 */
export async function listenNode(
  handler: FetchHandler,
  options: ListenOptions,
  upgrade?: UpgradeHandler,
): Promise<Listener> {
  const http = await import("node:http");
  let closing = false;
  // Requests in progress per connection, to close each one once it is idle.
  // (`closeIdleConnections()` alone misses some idle keep-alive connections
  // under Deno's node:http.)
  const active = new Map<Socket, number>();
  const closeSoon = (socket: Socket): void => {
    socket.end(() => socket.destroy());
  };
  const server: Server = http.createServer({
    // How often Node.js looks for connections past `headersTimeout`.
    connectionsCheckingInterval: Math.min(1_000, options.headerTimeout),
  }, (req, res) => {
    const socket = req.socket;
    active.set(socket, (active.get(socket) ?? 0) + 1);
    res.once("close", () => {
      const left = (active.get(socket) ?? 1) - 1;
      if (active.has(socket)) active.set(socket, left);
      if (closing && left === 0) closeSoon(socket);
    });
    void respond(req, res, handler, () => closing);
  });
  server.on("connection", (socket: Socket) => {
    active.set(socket, 0);
    socket.once("close", () => active.delete(socket));
  });
  if (upgrade !== undefined) {
    server.on("upgrade", (req: IncomingMessage, socket: Socket, head) => {
      // Busy until the socket ends, so that shutdown lets it close itself.
      active.set(socket, 1);
      void serveUpgrade(req, socket, head as Uint8Array, { handler, upgrade });
    });
  }
  server.headersTimeout = options.headerTimeout;
  // Node.js requires the whole request to take at least its head's time.
  server.requestTimeout = Math.max(
    server.requestTimeout,
    options.headerTimeout,
  );
  server.keepAliveTimeout = options.idleTimeout;
  server.maxConnections = options.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // An accept that fails (EMFILE) is reported here; without a listener it
  // would end the process. Node.js goes on accepting once descriptors free up.
  server.on("error", () => {});
  const finished = new Promise<void>((resolve) =>
    server.once("close", resolve)
  );
  const address = server.address();
  const port = typeof address === "object" && address !== null
    ? address.port
    : options.port;
  return {
    port,
    finished,
    close(): Promise<void> {
      if (!closing) {
        closing = true;
        server.close();
        for (const [socket, requests] of active) {
          if (requests === 0) closeSoon(socket);
        }
        const grace = setTimeout(() => {
          for (const socket of active.keys()) socket.destroy();
        }, options.shutdownGrace);
        void finished.then(() => clearTimeout(grace));
      }
      return finished;
    },
  };
}

async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  handler: FetchHandler,
  isClosing: () => boolean,
): Promise<void> {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  let response: Response;
  try {
    response = await handler(toRequest(req, controller.signal), {
      remoteAddr: { hostname: req.socket.remoteAddress ?? "" },
    });
  } catch {
    response = new Response(
      JSON.stringify({ error: "Cannot read the request" }),
      { status: 400, headers: { "Content-Type": "application/json" } },
    );
  }
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (isClosing()) res.setHeader("Connection", "close");
  if (response.body === null || req.method === "HEAD") {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  const onClose = (): void => void reader.cancel().catch(() => {});
  res.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch {
    // Drop the connection without an error event nobody would handle.
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}

/**
 * Answers a request with `Upgrade` on its raw socket: a refusal (or the
 * plain answer to an upgrade other than WebSocket) ends the connection; a
 * WebSocket gets its bytes (`head` first) until it closes.
 */
async function serveUpgrade(
  req: IncomingMessage,
  socket: Socket,
  head: Uint8Array,
  { handler, upgrade }: { handler: FetchHandler; upgrade: UpgradeHandler },
): Promise<void> {
  const channel = socketChannel(socket, head);
  const controller = new AbortController();
  socket.once("close", () => controller.abort());
  let answer: Awaited<ReturnType<UpgradeHandler>>;
  try {
    // Node.js hands over any `Upgrade` (h2c too); all but WebSocket get a
    // plain answer, as the Deno adapter gives them. Node.js has not parsed
    // such a request's body, so one with a body is refused (400).
    if (req.method !== "GET" && req.method !== "HEAD") {
      throw new TypeError("An upgrade request with a body");
    }
    const asked = new Headers({ upgrade: String(req.headers.upgrade ?? "") });
    const request = toRequest(req, controller.signal);
    const info = { remoteAddr: { hostname: socket.remoteAddress ?? "" } };
    answer = req.method === "GET" && asksForWebSocket(asked)
      ? await upgrade(request, info)
      : await handler(request, info);
  } catch {
    answer = new Response(null, { status: 400 });
  }
  if (answer instanceof Response) {
    const requestHead = {
      method: req.method ?? "GET",
      target: req.url ?? "/",
      version: "HTTP/1.1",
      headers: [],
    };
    await writeResponse(
      { write: (bytes) => channel.write(bytes).then(() => bytes.length) },
      answer,
      requestHead,
      false,
    ).catch(() => {});
    channel.close();
    return;
  }
  await answer.run(channel);
}

/** A raw socket's bytes as a WebSocket reads and writes them. */
function socketChannel(socket: Socket, head: Uint8Array): ByteChannel {
  const queue: Uint8Array[] = head.length > 0 ? [new Uint8Array(head)] : [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  socket.on("data", (chunk: Uint8Array) => {
    queue.push(new Uint8Array(chunk));
    notify();
  });
  socket.once("end", () => {
    ended = true;
    notify();
  });
  socket.once("close", () => {
    ended = true;
    notify();
  });
  socket.on("error", () => {});
  return {
    async read(): Promise<Uint8Array | null> {
      while (queue.length === 0 && !ended) {
        await new Promise<void>((resolve) => wake = resolve);
      }
      return queue.shift() ?? null;
    },
    write(bytes: Uint8Array): Promise<void> {
      return new Promise((resolve, reject) => {
        if (socket.destroyed) return reject(new Error("The socket is closed"));
        socket.write(bytes, (error) => error ? reject(error) : resolve());
      });
    },
    close(): void {
      socket.end(() => socket.destroy());
    },
  };
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    } catch {
      // A header the fetch API rejects is dropped, as a browser would.
    }
  }
  const local = req.socket.localAddress ?? "localhost";
  const url = requestUrl(
    req.url ?? "/",
    req.headers.host ?? null,
    `${local.includes(":") ? `[${local}]` : local}:${req.socket.localPort}`,
  );
  if (url === undefined) {
    throw new TypeError("The request target is not a path");
  }
  const method = req.method ?? "GET";
  if (isForbiddenMethod(method)) {
    throw new TypeError("The method is forbidden in a fetch Request");
  }
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    signal,
    body: hasBody ? requestBody(req) : null,
    duplex: "half",
  } as RequestInit);
}

function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller): void {
      req.on("data", (chunk: Uint8Array) => {
        if (settled) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      req.once("close", () => {
        if (settled) return;
        settled = true;
        controller.error(new Error("The client closed the request"));
      });
    },
    pull(): void {
      req.resume();
    },
    cancel(): void {
      settled = true;
      req.resume();
    },
  });
}
