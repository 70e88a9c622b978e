// A real WebSocket server on a free port, whose n-th connection follows the
// n-th script, for tests of the client over the wire. Plain GETs (polling
// after a fallback) get `poll()`'s answer.

/** What the n-th upgrade gets: a script run once the socket opens, or an answer refusing it. */
export type Connection = ((socket: WebSocket) => void) | Response;

/** A running server: its URL, what it was asked, and its shutdown. */
export interface WebSocketServer extends AsyncDisposable {
  url: string;
  /** `WS /path` for each upgrade, `GET /path` for each plain request. */
  requests: string[];
}

/**
 * Serves `connections` on 127.0.0.1, port 0. Disposing it waits until the
 * client has closed every socket (failing if one stays open) and shuts the
 * server down.
 */
export function serveWebSockets(
  connections: Connection[],
  poll: () => Response = () => new Response(null, { status: 404 }),
): WebSocketServer {
  const requests: string[] = [];
  const sockets: { socket: WebSocket; closed: Promise<void> }[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const { pathname } = new URL(request.url);
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        requests.push(`GET ${pathname}`);
        return poll();
      }
      requests.push(`WS ${pathname}`);
      const next = connections[sockets.length] ??
        new Response(null, { status: 500 });
      if (next instanceof Response) return next;
      const { socket, response } = Deno.upgradeWebSocket(request);
      const closed = new Promise<void>((resolve) =>
        socket.addEventListener("close", () => resolve())
      );
      sockets.push({ socket, closed });
      socket.addEventListener("open", () => next(socket));
      return response;
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), 2000);
      });
      const closed = await Promise.race([
        Promise.all(sockets.map((s) => s.closed)),
        late,
      ]);
      clearTimeout(timer);
      if (closed === "late") {
        for (const { socket } of sockets) socket.close();
        await Promise.all(sockets.map((s) => s.closed));
      }
      await server.shutdown();
      if (closed === "late") throw new Error("the client left a socket open");
    },
  };
}

/** A script that sends these bodies (strings as they are), then closes if told to. */
export function sendAll(
  bodies: unknown[],
  close: boolean,
): (socket: WebSocket) => void {
  return (socket: WebSocket) => {
    for (const body of bodies) {
      socket.send(typeof body === "string" ? body : JSON.stringify(body));
    }
    if (close) socket.close();
  };
}
