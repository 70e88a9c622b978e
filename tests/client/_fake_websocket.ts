// A stand-in WebSocket class whose sockets each follow a script, for
// deterministic tests on a FakeClock.

import type { VideoStatusClientOptions, WebSocketClass } from "../../mod.ts";
import type { Step } from "../../testing/scripted_fetch.ts";
import { type Fixture, setup } from "./_setup.ts";

/** One socket the client opened, driven by its script. */
export class FakeSocket extends EventTarget {
  /** Whether the client closed it. */
  closed = false;

  constructor(readonly url: string) {
    super();
  }

  close(): void {
    this.closed = true;
  }

  open(): void {
    this.dispatchEvent(new Event("open"));
  }

  /** Sends a message: a body as JSON, a string as it is, bytes as binary. */
  send(data: unknown): void {
    this.dispatchEvent(
      new MessageEvent("message", {
        data: typeof data === "string" || data instanceof ArrayBuffer
          ? data
          : JSON.stringify(data),
      }),
    );
  }

  /** The server closes it, with or without the closing handshake. */
  end(wasClean = true): void {
    this.dispatchEvent(
      new CloseEvent("close", { wasClean, code: wasClean ? 1000 : 1006 }),
    );
  }

  /** The connection fails, as when the upgrade is refused. */
  fail(): void {
    this.dispatchEvent(new Event("error"));
    this.dispatchEvent(
      new CloseEvent("close", { wasClean: false, code: 1006 }),
    );
  }
}

/** What a socket does once the client listens to it. */
export type SocketScript = (socket: FakeSocket) => void | Promise<void>;

/** The class to give the client, the sockets it made, and the end of their scripts. */
export interface FakeWebSocket {
  webSocket: WebSocketClass;
  sockets: FakeSocket[];
  done: Promise<void>;
}

/** A WebSocket class whose n-th socket runs the n-th script. */
export function fakeWebSocket(scripts: SocketScript[]): FakeWebSocket {
  const sockets: FakeSocket[] = [];
  const running: Promise<void>[] = [];
  class Scripted extends FakeSocket {
    constructor(url: string) {
      super(url);
      const script = scripts[sockets.length];
      if (script === undefined) throw new Error("no more sockets scripted");
      sockets.push(this);
      // After the client has added its listeners.
      running.push(Promise.resolve().then(() => script(this)));
    }
  }
  return {
    webSocket: Scripted,
    sockets,
    get done() {
      return Promise.all(running).then(() => {});
    },
  };
}

/** A socket that opens and sends these bodies, then closes if told to. */
export function sends(bodies: unknown[], close = true): SocketScript {
  return (socket) => {
    socket.open();
    for (const body of bodies) socket.send(body);
    if (close) socket.end();
  };
}

/** A client on a FakeClock whose sockets follow `scripts`; requests fail unless `steps` answer them. */
export function wsSetup(
  scripts: SocketScript[],
  options: VideoStatusClientOptions = {},
  steps: Step[] = [new TypeError("no request expected")],
): Fixture & { ws: FakeWebSocket } {
  const ws = fakeWebSocket(scripts);
  const fixture = setup(steps, {
    strategy: "websocket",
    webSocket: ws.webSocket,
    ...options,
  });
  return { ...fixture, ws };
}
