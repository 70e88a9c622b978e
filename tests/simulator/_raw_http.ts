// A raw HTTP/1.1 exchange over a socket, for tests that must send what
// `fetch` would not (odd targets, methods and heads) or hold a connection.

/** An answer as read off the wire. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The body, de-chunked. */
  readonly body: string;
}

const decoder = new TextDecoder();

/** Connects to a loopback port. */
export function connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ port, hostname: "127.0.0.1" });
}

/**
 * Reads until the server closes the connection (or `ms` pass, when the
 * connection is closed here) and resolves with what came.
 */
export async function readToEnd(
  conn: Deno.Conn,
  ms = 10_000,
): Promise<{ text: string; closedByServer: boolean }> {
  let closedByServer = false;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, ms);
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65_536);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) {
        closedByServer = true;
        break;
      }
      chunks.push(buffer.slice(0, n));
    }
  } catch {
    // Closed here at the deadline, or reset by the server.
    closedByServer = !timedOut;
  } finally {
    clearTimeout(timer);
  }
  if (!timedOut) conn.close();
  const text = chunks.map((chunk) => decoder.decode(chunk, { stream: true }))
    .join("");
  return { text, closedByServer };
}

/** Sends `head` (and `body`) on a new connection and reads the answer. */
export async function exchange(
  port: number,
  head: string,
  body: Uint8Array = new Uint8Array(),
): Promise<RawAnswer> {
  const conn = await connect(port);
  const encoded = new TextEncoder().encode(head);
  const bytes = new Uint8Array(encoded.length + body.length);
  bytes.set(encoded);
  bytes.set(body, encoded.length);
  for (let offset = 0; offset < bytes.length;) {
    offset += await conn.write(bytes.subarray(offset));
  }
  return parseAnswer((await readToEnd(conn)).text);
}

/** Parses one HTTP/1.1 answer. */
export function parseAnswer(text: string): RawAnswer {
  const end = text.indexOf("\r\n\r\n");
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  let body = end === -1 ? "" : text.slice(end + 4);
  if (headers.get("transfer-encoding") === "chunked") {
    let plain = "";
    for (;;) {
      const lineEnd = body.indexOf("\r\n");
      const size = parseInt(body.slice(0, lineEnd), 16);
      if (!(size > 0)) break;
      plain += body.slice(lineEnd + 2, lineEnd + 2 + size);
      body = body.slice(lineEnd + 4 + size);
    }
    body = plain;
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}
