// Polling and long-polling: one GET of the status URL per exchange. A
// long-poll asks the server to hold the request (`Prefer: wait=N`, RFC
// 7240) until the status changes; in "auto" mode the transport stops asking
// once the server shows it does not apply the preference.

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
import { parseRetryAfter } from "../protocol/retry_after.ts";

/** How a poll transport asks: never, always, or while the server holds requests. */
export type LongPollMode = "never" | "always" | "auto";

/** Polls, or long-polls, the status URL. */
export class PollTransport implements Transport {
  readonly #settings: TransportSettings;
  #mode: LongPollMode;

  constructor(settings: TransportSettings, mode: LongPollMode) {
    this.#settings = settings;
    this.#mode = mode;
  }

  /** How it asks now: `"auto"` becomes `"never"` once the server shows it does not hold requests. */
  get mode(): LongPollMode {
    return this.#mode;
  }

  async exchange(exchange: Exchange): Promise<ExchangeOutcome> {
    const { clock, requestTimeout, longPollWait } = this.#settings;
    const headers: Record<string, string> = {};
    let timeout = requestTimeout;
    if (this.#mode !== "never") {
      const seconds = Math.floor(longPollWait / 1000);
      headers.prefer = `wait=${seconds}`;
      timeout += seconds * 1000;
    }
    const link = new LinkedSignal(
      clock,
      exchange.signal,
      Math.min(timeout, exchange.remaining()),
      () => new RequestTimeoutError(timeout, exchange.label),
    );
    let sentAt = 0;
    let response: Response;
    let text: string;
    try {
      const outgoing = {
        method: "GET" as const,
        url: exchange.url,
        defaults: { accept: "application/json" },
        headers,
        label: exchange.label,
        trace: exchange.trace,
      };
      ({ response } = await send(this.#settings, outgoing, link, () => {
        exchange.sending();
        sentAt = clock.now();
      }));
      text = await readText(response, link);
    } catch (error) {
      if (exchange.signal?.aborted || error instanceof RequestError) {
        throw error;
      }
      return { kind: "failure", error, retryAfter: undefined };
    } finally {
      link.close();
    }
    const receivedAt = clock.now();
    const retryAfter = parseRetryAfter(
      response.headers.get("retry-after"),
      receivedAt,
    );
    if (!response.ok) {
      const error = new HTTPError(
        response,
        "GET",
        exchange.label.url,
        this.#settings.secrets.hide(text),
      );
      if (!isRetryable(response.status)) throw error;
      return { kind: "failure", error, retryAfter };
    }
    const parsed = parseStatus(
      text,
      {
        dialect: this.#settings.dialect,
        headers: response.headers,
        now: receivedAt,
      },
      exchange.label,
      this.#settings.secrets,
    );
    if (parsed instanceof ProtocolError) {
      return { kind: "failure", error: parsed, retryAfter };
    }
    const applied = response.headers.get("preference-applied") ?? "";
    const held = this.#mode !== "never" &&
      /(^|[\s,;])wait\s*=/i.test(applied);
    if (this.#mode === "auto" && !held) this.#mode = "never";
    exchange.hear({
      ...parsed,
      source: held ? "long-poll" : "poll",
      sentAt,
      receivedAt,
      streaming: false,
      held,
      // The dialect's time hint (Azure's Retry-After, an estimated finish),
      // else the plain header.
      retryAfter: parsed.retryAfter ?? retryAfter,
    });
    return { kind: "answered" };
  }
}
