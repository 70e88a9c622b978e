/**
 * Serves a `fetch`-style handler under Deno over HTTP/1.1 on connections it
 * accepts itself with `Deno.listen`. `Deno.serve` gives no hold on
 * connections: it cannot close an idle or slow one, cap how many are open,
 * or force the last ones closed at shutdown, and it ends the process when
 * `accept` fails with `EMFILE` (Deno 2.9). Here an accept error pauses the
 * loop (10 ms, doubling up to 1 s) and serving goes on.
 *
 * @module
 */

import { ConnReader } from "./conn_reader.ts";
import {
  headerOf,
  isForbiddenMethod,
  parseHead,
  type RequestHead,
  requestUrl,
} from "./http1.ts";
import type {
  FetchHandler,
  Listener,
  ListenOptions,
  UpgradeHandler,
} from "./listener.ts";
import {
  type Writable,
  writeAll,
  writeError,
  writeResponse,
} from "./response_writer.ts";
import { asksForWebSocket } from "../websocket/handshake.ts";

const CANNOT = "Cannot read the request as its";

/** The part of a `Deno.Conn` this module uses, so it type-checks anywhere. */
interface DenoConn extends Writable {
  read(buffer: Uint8Array): Promise<number | null>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  readonly remoteAddr: { readonly hostname?: string };
}

/** The part of `Deno` this module uses. */
interface DenoNet {
  listen(options: { port: number; hostname: string; transport: "tcp" }): {
    accept(): Promise<DenoConn>;
    close(): void;
    readonly addr: { readonly port?: number };
  };
}

/**
 * Whether this runtime has `Deno.listen`.
 *
 * @example
 * ```ts
 * import { canListenDeno } from "./deno.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(canListenDeno(), "Deno" in globalThis);
 * ```
 *
 * @returns `true` under Deno.
 */
export function canListenDeno(): boolean {
  const deno = (globalThis as { Deno?: Partial<DenoNet> }).Deno;
  return typeof deno?.listen === "function";
}

/** One accepted connection and its deadline. */
class Connection {
  readonly conn: DenoConn;
  readonly reader: ConnReader;
  /** Waiting for a request head (between requests), so shutdown may close it. */
  idle = true;
  /** When the sweep closes it (`performance.now()` time); `Infinity`: never. */
  deadline = Infinity;
  #closed = false;

  constructor(conn: DenoConn) {
    this.conn = conn;
    this.reader = new ConnReader(conn);
  }

  /** Closes the connection `ms` from now unless re-armed or disarmed. */
  arm(ms: number): void {
    this.deadline = performance.now() + ms;
  }

  disarm(): void {
    this.deadline = Infinity;
  }

  close(): void {
    this.disarm();
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Closed by the runtime already.
    }
  }
}

/**
 * Serves `handler` on `Deno.listen` with the given connection limits.
 *
 * @example Serve a handler on a free port
 * ```ts ignore
 * import { listenDeno } from "./deno.ts";
 * import { CONNECTION_DEFAULTS } from "./listener.ts";
 *
 * const listener = listenDeno(
 *   () => Promise.resolve(new Response("ok")),
 *   { port: 0, hostname: "127.0.0.1", ...CONNECTION_DEFAULTS },
 * );
 * console.log(await (await fetch(`http://127.0.0.1:${listener.port}/`)).text());
 * await listener.close();
 * ```
 *
 * @param handler The request handler.
 * @param options Where to listen and the connection limits.
 * @param upgrade What answers a `GET` with `Upgrade: websocket`; without it
 * `handler` answers such a request as any other.
 * @returns The listener, bound.
 * @throws {Error} When the runtime is not Deno or the address is taken.
 */
export function listenDeno(
  handler: FetchHandler,
  options: ListenOptions,
  upgrade?: UpgradeHandler,
): Listener {
  const deno = (globalThis as { Deno?: DenoNet }).Deno;
  if (deno === undefined) {
    throw new Error(
      "Cannot listen with Deno.listen as this runtime is not Deno",
    );
  }
  const { port, hostname } = options;
  const socket = deno.listen({ port, hostname, transport: "tcp" });
  const bound = socket.addr.port ?? port;
  const authority = `${
    hostname.includes(":") ? `[${hostname}]` : hostname
  }:${bound}`;
  const open = new Set<Connection>();
  const tasks = new Set<Promise<void>>();
  let closing = false;
  let wakeAccept: (() => void) | undefined;
  const track = (task: Promise<void>): void => {
    tasks.add(task);
    void task.finally(() => tasks.delete(task));
  };
  const acceptLoop = (async () => {
    let pause = 0;
    while (!closing) {
      let conn: DenoConn;
      try {
        conn = await socket.accept();
        pause = 0;
      } catch {
        if (closing) break;
        // EMFILE and the like: wait for descriptors to free up, keep serving.
        pause = Math.min(1_000, Math.max(10, pause * 2));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          wakeAccept = () => {
            wakeAccept = undefined;
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      if (open.size >= options.maxConnections) {
        track(refuse(conn));
        continue;
      }
      const connection = new Connection(conn);
      open.add(connection);
      track(
        serveConnection(
          connection,
          { handler, upgrade },
          options,
          authority,
          () => closing,
        )
          .finally(() => {
            connection.close();
            open.delete(connection);
            // A descriptor is free: an accept paused on EMFILE may go on.
            wakeAccept?.();
          }),
      );
    }
  })();
  // One sweep closes the connections past their deadline: a number to set
  // per request is cheaper than a timer to arm and clear.
  const every = Math.min(
    1_000,
    Math.max(10, Math.min(options.headerTimeout, options.idleTimeout) / 4),
  );
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const connection of open) {
      if (connection.deadline <= now) connection.close();
    }
  }, every);
  const finished = (async () => {
    await acceptLoop;
    while (tasks.size > 0) await Promise.all(tasks);
    clearInterval(sweep);
  })();
  let stopping: Promise<void> | undefined;
  return {
    port: bound,
    finished,
    close(): Promise<void> {
      stopping ??= (async () => {
        closing = true;
        socket.close();
        wakeAccept?.();
        for (const connection of open) if (connection.idle) connection.close();
        const grace = setTimeout(() => {
          for (const connection of open) connection.close();
        }, options.shutdownGrace);
        await finished;
        clearTimeout(grace);
      })();
      return stopping;
    },
  };
}

/** Answers a connection over the cap `503` and closes it. */
async function refuse(conn: DenoConn): Promise<void> {
  await writeError(
    conn,
    503,
    "Cannot accept the connection as too many are open",
    { "retry-after": "1" },
  );
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}

/** Answers the requests of one connection until it closes. */
async function serveConnection(
  connection: Connection,
  { handler, upgrade }: { handler: FetchHandler; upgrade?: UpgradeHandler },
  options: ListenOptions,
  authority: string,
  isClosing: () => boolean,
): Promise<void> {
  const { conn, reader } = connection;
  conn.setNoDelay?.(true);
  const remoteAddr = { hostname: conn.remoteAddr.hostname ?? "" };
  connection.arm(options.headerTimeout);
  for (let first = true;; first = false) {
    connection.idle = true;
    if (isClosing()) return;
    if (!first) connection.arm(options.idleTimeout);
    let begun = first;
    const raw = await reader.readHead(() => {
      if (begun) return;
      begun = true;
      connection.arm(options.headerTimeout);
    });
    connection.idle = false;
    connection.disarm();
    if (raw === null || raw === "incomplete") return;
    if (raw === "too large") {
      return await writeError(conn, 431, `${CANNOT} head is too large`);
    }
    const head = parseHead(raw);
    if (typeof head === "string") return await writeError(conn, 400, head);
    const exchange = toRequest(head, reader, authority);
    if (Array.isArray(exchange)) return await writeError(conn, ...exchange);
    const { request, abort, bodyRead } = exchange;
    // Notice a client that leaves while its request is held.
    void bodyRead.then(async () => {
      if (!(await reader.fill())) abort();
    });
    if (
      upgrade !== undefined && head.method === "GET" &&
      asksForWebSocket(request.headers)
    ) {
      return await serveUpgrade(connection, upgrade, request, head, remoteAddr);
    }
    let response: Response;
    try {
      response = await handler(request, { remoteAddr });
    } catch {
      response = new Response(null, { status: 500 });
    }
    const keepAlive = head.version === "HTTP/1.1" &&
      !/\bclose\b/i.test(headerOf(head.headers, "connection") ?? "") &&
      exchange.isBodyRead() && !isClosing();
    try {
      await writeResponse(conn, response, head, keepAlive);
    } catch {
      return;
    }
    if (!keepAlive) return;
  }
}

/**
 * Answers an upgrade request: a refusal ends the connection; an upgrade gets
 * its bytes (those read past the head first) until the socket closes.
 */
async function serveUpgrade(
  connection: Connection,
  upgrade: UpgradeHandler,
  request: Request,
  head: RequestHead,
  remoteAddr: { readonly hostname: string },
): Promise<void> {
  let answer: Awaited<ReturnType<UpgradeHandler>>;
  try {
    answer = await upgrade(request, { remoteAddr });
  } catch {
    answer = new Response(null, { status: 500 });
  }
  const { conn, reader } = connection;
  if (answer instanceof Response) {
    return await writeResponse(conn, answer, head, false).catch(() => {});
  }
  await answer.run({
    read: () => reader.next(),
    write: (bytes) => writeAll(conn, bytes),
    close: () => connection.close(),
  });
}

/** A request built from its head, or the status and message that refuse it. */
function toRequest(head: RequestHead, reader: ConnReader, authority: string):
  | {
    request: Request;
    abort: () => void;
    bodyRead: Promise<void>;
    isBodyRead: () => boolean;
  }
  | [number, string] {
  const { method, headers } = head;
  const encoding = headerOf(headers, "transfer-encoding");
  const length = headerOf(headers, "content-length");
  if (encoding !== null && length !== null) {
    return [400, `${CANNOT} has both Content-Length and Transfer-Encoding`];
  }
  if (encoding !== null && encoding.toLowerCase() !== "chunked") {
    return [501, `${CANNOT} has a transfer coding other than chunked`];
  }
  if (length !== null && !/^\d{1,15}$/.test(length)) {
    return [400, `${CANNOT} has a Content-Length that is no number`];
  }
  const url = requestUrl(head.target, headerOf(headers, "host"), authority);
  if (url === undefined) return [400, `${CANNOT} target is no path`];
  if (isForbiddenMethod(method)) {
    return [400, `${CANNOT} method is forbidden in a fetch Request`];
  }
  let done = false;
  let markRead = (): void => {};
  const bodyRead = new Promise<void>((resolve) => markRead = resolve);
  const onDone = (): void => {
    done = true;
    markRead();
  };
  const size = encoding !== null ? "chunked" : Number(length ?? "0");
  const hasBody = size === "chunked" || size > 0;
  if (!hasBody) onDone();
  const controller = new AbortController();
  try {
    const request = new Request(url, {
      method,
      headers,
      signal: controller.signal,
      body: hasBody ? reader.body(size, onDone) : null,
      duplex: "half",
    } as RequestInit);
    return {
      request,
      abort: () => controller.abort(),
      bodyRead,
      isBodyRead: () => done,
    };
  } catch {
    // The fetch API refuses some header values.
    return [400, `${CANNOT} header fields are not allowed in a fetch Request`];
  }
}
