/**
 * WebSocket push: one socket per exchange, on the status URL with the
 * `ws:`/`wss:` scheme. The server sends the same JSON as `GET` at once and
 * on each change, and closes after the final status.
 *
 * A socket that closes cleanly after delivering statuses is no failure: the
 * wait reconnects after the first backoff delay. A socket that never opens
 * makes the wait fall back to polling: the WebSocket API does not tell a
 * refused upgrade (404, 405, 426) from an unreachable server, and polling
 * reports and retries the latter as it would anyway. A socket silent for
 * `requestTimeout + longPollWait` fails with a `RequestTimeoutError`, and one
 * that sends a message over `MAX_BODY_BYTES` (64 KiB) is dropped with a
 * `ProtocolError`; both are retried. A WebSocket carries no configured
 * headers (browsers cannot send any), so an API that needs a header key
 * cannot be waited on this way, and it opens only to an origin a request
 * may go to.
 *
 * @module
 */

import { parseStatus, type RequestLabel } from "./answer.ts";
import {
  NetworkError,
  ProtocolError,
  RequestError,
  RequestTimeoutError,
} from "./errors/mod.ts";
import type { ClientSettings } from "./settings.ts";
import { refusal } from "./origin.ts";
import { LinkedSignal } from "./request.ts";
import type { Exchange, ExchangeOutcome, Transport } from "./transport.ts";
import { redact } from "./url.ts";
import { MAX_BODY_BYTES } from "../protocol/body.ts";
import { assertFunction } from "../util/validate.ts";

/**
 * The part of a WebSocket event the client reads: a message's `data`, a
 * close's `wasClean` and `code`.
 *
 * @example
 * ```ts
 * import type { WebSocketEventLike } from "@video-status/client";
 *
 * const message: WebSocketEventLike = {
 *   type: "message",
 *   data: '{"result":"pending"}',
 * };
 * ```
 */
export interface WebSocketEventLike {
  /** `open`, `message`, `error` or `close`. */
  readonly type: string;
  /** A message's data: a string for a text message. */
  readonly data?: unknown;
  /** Whether a close ended with the closing handshake. */
  readonly wasClean?: boolean;
  /** A close's code. */
  readonly code?: number;
}

/**
 * The part of a `WebSocket` the client uses, so that the standard one
 * (Deno, Bun, browsers, Node 22 and later) or a stand-in fits.
 *
 * @example
 * ```ts
 * import type { WebSocketLike } from "@video-status/client";
 *
 * const quiet: WebSocketLike = { addEventListener() {}, close() {} };
 * ```
 */
export interface WebSocketLike {
  /** Listens for `open`, `message`, `error` and `close`. */
  addEventListener(
    type: string,
    listener: (event: WebSocketEventLike) => void,
  ): void;
  /** Closes the socket. */
  close(): void;
}

/**
 * A `WebSocket` class: `new (url) => socket`, such as `globalThis.WebSocket`.
 *
 * @example Pass the runtime's own
 * ```ts
 * import { VideoStatusClient, type WebSocketClass } from "@video-status/client";
 *
 * const webSocket: WebSocketClass = WebSocket;
 * const client = new VideoStatusClient({ strategy: "websocket", webSocket });
 * ```
 */
export type WebSocketClass = new (url: string) => WebSocketLike;

/** The client's option for the WebSocket transport. */
export interface WebSocketOptions {
  /**
   * The `WebSocket` class that `strategy: "websocket"` uses. Where there is
   * none, that strategy polls as `"auto"` does.
   *
   * @default {globalThis.WebSocket}
   */
  webSocket?: WebSocketClass;
}

/** What the WebSocket transport needs of the client. */
export type WebSocketSettings = Pick<
  ClientSettings,
  | "clock"
  | "requestTimeout"
  | "longPollWait"
  | "origins"
  | "secrets"
  | "webSocket"
  | "dialect"
>;

/**
 * Checks the `webSocket` option: a class, or the runtime's own by default
 * (`undefined` where the runtime has none).
 */
export function resolveWebSocket(
  subject: string,
  option: unknown,
): WebSocketClass | undefined {
  assertFunction(subject, "webSocket", option, true);
  return (option ?? globalThis.WebSocket) as WebSocketClass | undefined;
}

/** Follows the status URL's WebSocket push. */
export class WebSocketTransport implements Transport {
  readonly #settings: WebSocketSettings;
  readonly #fallback: () => Transport;

  /** `fallback` makes the transport to continue with when no socket opens. */
  constructor(settings: WebSocketSettings, fallback: () => Transport) {
    this.#settings = settings;
    this.#fallback = fallback;
  }

  async exchange(exchange: Exchange): Promise<ExchangeOutcome> {
    const { webSocket, origins } = this.#settings;
    const target = new URL(exchange.url);
    // Checked here as well as where the URL came from: a socket goes
    // nowhere a request could not.
    if (origins.reach(target) === "refused") {
      throw new RequestError(
        `Cannot open a WebSocket to ${redact(target.href)} as ${
          refusal(target)
        }`,
        exchange.label,
      );
    }
    if (webSocket === undefined) {
      return { kind: "fallback", transport: this.#fallback() };
    }
    target.protocol = target.protocol === "https:" ? "wss:" : "ws:";
    target.hash = "";
    exchange.signal?.throwIfAborted();
    const session = new Session(this.#settings, exchange, target.href, () => ({
      kind: "fallback",
      transport: this.#fallback(),
    }));
    try {
      const socket = new webSocket(target.href);
      // Once the socket exists, its handshake request is on its way.
      exchange.sending();
      session.follow(socket);
    } catch {
      // A URL or runtime the WebSocket class refuses: as good as no support.
      session.cannotOpen();
    }
    return await session.outcome;
  }
}

/** One socket's life: what it heard, and how it ended (once). */
class Session {
  readonly outcome: Promise<ExchangeOutcome>;
  readonly #settings: WebSocketSettings;
  readonly #exchange: Exchange;
  readonly #label: RequestLabel;
  readonly #link: LinkedSignal;
  readonly #fallback: () => ExchangeOutcome;
  #resolve!: (outcome: ExchangeOutcome) => void;
  #reject!: (error: unknown) => void;
  #socket: WebSocketLike | undefined;
  #ended = false;
  #opened = false;
  #heardAny = false;
  /** When the last message (or the connection's start) arrived. */
  #lastActivity: number;

  constructor(
    settings: WebSocketSettings,
    exchange: Exchange,
    url: string,
    fallback: () => ExchangeOutcome,
  ) {
    this.#settings = settings;
    this.#exchange = exchange;
    this.#fallback = fallback;
    this.#label = { method: "GET", url: redact(url) };
    this.#lastActivity = settings.clock.now();
    this.outcome = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Silence this long is a request timeout, however long the socket has
    // been open, as for an event stream: a server that holds a socket open
    // through a long job sends its status again meanwhile.
    const idle = settings.requestTimeout + settings.longPollWait;
    this.#link = new LinkedSignal(
      settings.clock,
      exchange.signal,
      this.#idleBound(),
      () => new RequestTimeoutError(idle, this.#label),
    );
    this.#link.signal.addEventListener("abort", () => this.#aborted());
  }

  follow(socket: WebSocketLike): void {
    this.#socket = socket;
    socket.addEventListener("open", () => {
      this.#opened = true;
      this.#link.restart(this.#idleBound());
    });
    socket.addEventListener("message", (event) => this.#message(event.data));
    socket.addEventListener("error", () => this.#closed(false, undefined));
    socket.addEventListener(
      "close",
      (event) => this.#closed(event.wasClean === true, event.code),
    );
  }

  /** Ends the exchange as a socket that never opened: with the fallback. */
  cannotOpen(): void {
    this.end(this.#fallback());
  }

  /** Ends the exchange with `outcome`, closing the socket; later events are ignored. */
  end(outcome: ExchangeOutcome | { error: unknown }): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#socket?.close();
    this.#link.close();
    if ("kind" in outcome) this.#resolve(outcome);
    else this.#reject(outcome.error);
  }

  /** The idle timeout, within the wait's deadline. */
  #idleBound(): number {
    const { requestTimeout, longPollWait } = this.#settings;
    return Math.min(requestTimeout + longPollWait, this.#exchange.remaining());
  }

  #aborted(): void {
    const { signal } = this.#exchange;
    if (signal?.aborted) return this.end({ error: signal.reason });
    this.#fail(this.#link.signal.reason);
  }

  #fail(error: unknown): void {
    this.end({ kind: "failure", error, retryAfter: undefined });
  }

  #message(data: unknown): void {
    if (this.#ended) return;
    const { clock, secrets } = this.#settings;
    const receivedAt = clock.now();
    this.#link.restart(this.#idleBound());
    if (typeof data !== "string") {
      return this.#fail(
        new ProtocolError("Expected a text message", "", this.#label),
      );
    }
    // The runtime has the message already; the cap keeps the client from
    // parsing it and drops a server that sends such.
    if (tooLong(data)) {
      return this.#fail(
        new ProtocolError(
          `WebSocket message exceeded ${MAX_BODY_BYTES} bytes`,
          secrets.hide(data.slice(0, 1024)),
          this.#label,
        ),
      );
    }
    let parsed;
    try {
      parsed = parseStatus(
        data,
        // A socket has no headers of its own to give hints.
        {
          dialect: this.#settings.dialect,
          headers: new Headers(),
          now: receivedAt,
        },
        this.#label,
        secrets,
      );
    } catch (error) {
      return this.end({ error });
    }
    if (parsed instanceof ProtocolError) return this.#fail(parsed);
    // Messages come in order: until this one, the server had nothing newer
    // to say than its last.
    const done = this.#exchange.hear({
      ...parsed,
      source: "websocket",
      sentAt: this.#lastActivity,
      receivedAt,
      streaming: true,
      held: this.#heardAny,
      retryAfter: undefined,
    });
    this.#lastActivity = receivedAt;
    this.#heardAny = true;
    if (done) this.end({ kind: "answered" });
  }

  #closed(clean: boolean, code: number | undefined): void {
    if (this.#ended) return;
    if (!this.#opened) return this.cannotOpen();
    if (!clean) {
      const detail = `WebSocket closed without a closing handshake${
        code === undefined ? "" : ` (code ${code})`
      }`;
      return this.#fail(new NetworkError(detail, this.#label));
    }
    if (this.#heardAny) return this.end({ kind: "closed", retry: undefined });
    this.#fail(
      new ProtocolError("WebSocket closed before a status", "", this.#label),
    );
  }
}

/** Whether `text` takes more than `MAX_BODY_BYTES` in UTF-8, encoding it only when its length leaves that in doubt. */
function tooLong(text: string): boolean {
  // Each UTF-16 unit takes 1 to 3 bytes (a surrogate pair takes 4 for 2).
  if (text.length > MAX_BODY_BYTES) return true;
  if (text.length * 3 <= MAX_BODY_BYTES) return false;
  return new TextEncoder().encode(text).byteLength > MAX_BODY_BYTES;
}
