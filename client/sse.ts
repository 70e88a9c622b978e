// Server-sent events: one GET of `{statusUrl}/events` per exchange, kept
// open while it delivers statuses. A stream that closes after delivering
// statuses (as proxies close them) is no failure: the wait reconnects when
// the stream's `retry:` says, sending `Last-Event-ID` if it gave ids. A
// server without an event stream there makes the wait fall back to polling.
// A line or an event past the reader's limits (1 MiB each) is a failure.

import { isRetryable, parseStatus } from "./answer.ts";
import {
  HTTPError,
  ProtocolError,
  RequestError,
  RequestTimeoutError,
} from "./errors/mod.ts";
import {
  LinkedSignal,
  readText,
  send,
  type TransportSettings,
} from "./request.ts";
import type { Exchange, ExchangeOutcome, Transport } from "./transport.ts";
import { joinPath, redact } from "./url.ts";
import { parseRetryAfter } from "../protocol/retry_after.ts";
import {
  EventStreamLimitError,
  readServerSentEvents,
} from "../protocol/sse.ts";

// Statuses with which a server says it has no event stream at this URL.
const NO_EVENT_STREAM_STATUSES = new Set([404, 405, 406, 501]);

/** Follows the status URL's event stream. */
export class SseTransport implements Transport {
  readonly #settings: TransportSettings;
  readonly #fallback: () => Transport;
  #lastEventId: string | undefined;
  #retry: number | undefined;

  /** `fallback` makes the transport to continue with when there is no stream. */
  constructor(settings: TransportSettings, fallback: () => Transport) {
    this.#settings = settings;
    this.#fallback = fallback;
  }

  async exchange(exchange: Exchange): Promise<ExchangeOutcome> {
    const { clock, requestTimeout, longPollWait } = this.#settings;
    const url = joinPath(exchange.url, "/events");
    const label = { method: "GET", url: redact(url) };
    const headers: Record<string, string> = {};
    // An empty id is the stream taking its ids back.
    if (this.#lastEventId) headers["last-event-id"] = this.#lastEventId;
    // A live stream sends at least heartbeats: silence this long is a
    // request timeout, however long the stream has been open.
    const idle = requestTimeout + longPollWait;
    const idleBound = () => Math.min(idle, exchange.remaining());
    const link = new LinkedSignal(
      clock,
      exchange.signal,
      idleBound(),
      () => new RequestTimeoutError(idle, label),
    );
    let heardAny = false;
    let lastActivity = 0;
    let previousActivity = 0;
    try {
      const outgoing = {
        method: "GET" as const,
        url,
        defaults: { accept: "text/event-stream" },
        headers,
        label,
        trace: exchange.trace,
      };
      const { response } = await send(this.#settings, outgoing, link, () => {
        exchange.sending();
        lastActivity = clock.now();
      });
      const retryAfter = parseRetryAfter(
        response.headers.get("retry-after"),
        clock.now(),
      );
      const type = response.headers.get("content-type") ?? "";
      if (!response.ok || !type.startsWith("text/event-stream")) {
        const text = await readText(response, link);
        if (response.ok || NO_EVENT_STREAM_STATUSES.has(response.status)) {
          return { kind: "fallback", transport: this.#fallback() };
        }
        const error = new HTTPError(
          response,
          "GET",
          label.url,
          this.#settings.secrets.hide(text),
        );
        if (!isRetryable(response.status)) throw error;
        return { kind: "failure", error, retryAfter };
      }
      if (response.body === null) {
        return { kind: "fallback", transport: this.#fallback() };
      }
      const onActivity = () => {
        previousActivity = lastActivity;
        lastActivity = clock.now();
        link.restart(idleBound());
      };
      for await (
        const event of readServerSentEvents(response.body, { onActivity })
      ) {
        this.#lastEventId = event.id;
        this.#retry = event.retry;
        if (event.event !== "status") continue;
        const parsed = parseStatus(
          event.data,
          {
            dialect: this.#settings.dialect,
            headers: response.headers,
            now: clock.now(),
          },
          label,
          this.#settings.secrets,
        );
        if (parsed instanceof ProtocolError) {
          return { kind: "failure", error: parsed, retryAfter: undefined };
        }
        // Events come in order: until this chunk arrived, the stream had
        // nothing newer to say than its last status.
        const done = exchange.hear({
          ...parsed,
          source: "sse",
          sentAt: previousActivity,
          receivedAt: clock.now(),
          streaming: true,
          held: heardAny,
          retryAfter: undefined,
        });
        heardAny = true;
        if (done) return { kind: "answered" };
      }
      if (heardAny) return { kind: "closed", retry: this.#retry };
      return {
        kind: "failure",
        error: new ProtocolError(
          "Event stream ended before a status",
          "",
          label,
        ),
        retryAfter: undefined,
      };
    } catch (error) {
      if (exchange.signal?.aborted) throw error;
      if (
        error instanceof HTTPError || error instanceof ProtocolError ||
        error instanceof RequestError
      ) {
        throw error;
      }
      // A line or event past the reader's limit: a broken stream, dropped
      // before it grows the buffer further, and retried like one.
      if (error instanceof EventStreamLimitError) {
        const broken = new ProtocolError(error.message, "", {
          ...label,
          cause: error,
        });
        return { kind: "failure", error: broken, retryAfter: undefined };
      }
      return { kind: "failure", error, retryAfter: undefined };
    } finally {
      link.close();
    }
  }
}
