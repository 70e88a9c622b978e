/**
 * The contract between the wait engine and a transport: one way of hearing
 * about a job (polling, long-polling, an event stream). Webhooks are no
 * transport: a wait listens to them beside its transport
 * (`webhook_wait.ts`). The engine owns time (deadline, sleeps, `minDelay`),
 * failures, retries and the schedule; a transport only sends one exchange
 * and says what it heard.
 *
 * @module
 */

import type { ParsedStatus, RequestLabel } from "./answer.ts";
import type { RequestTrace } from "./hooks.ts";
import type { UpdateSource } from "./types.ts";

/** One status a transport heard. */
export interface Heard extends ParsedStatus {
  /** How it arrived. */
  source: UpdateSource;
  /** The clock's time when the request that brought it was sent. */
  sentAt: number;
  /** The clock's time when it arrived. */
  receivedAt: number;
  /** Whether the exchange stays open for more (an event stream). */
  streaming: boolean;
  /** Whether the server held the request until it answered (long-poll applied). */
  held: boolean;
  /** The server's hint of when to ask again (`Retry-After`), in milliseconds. */
  retryAfter: number | undefined;
}

/** What the engine gives a transport for one exchange. */
export interface Exchange {
  /** The status URL (an http(s) URL without user info, as the options require). */
  readonly url: string;
  /** The status URL's method and shown URL, for errors. */
  readonly label: RequestLabel;
  /** The wait's abort signal. */
  readonly signal: AbortSignal | undefined;
  /** Traces the wait's requests (its hooks), if the client has hooks. */
  readonly trace?: RequestTrace;
  /** Milliseconds left before the wait's deadline. */
  remaining(): number;
  /** To call once the request has gone (to `fetch`, or its socket is made): stamps its budget slot and its start. */
  sending(): void;
  /**
   * Reports a status to the wait (which emits it). Returns `true` when it was
   * final and the exchange must end. Throws what the wait's callbacks throw.
   */
  hear(heard: Heard): boolean;
}

/** How an exchange ended. */
export type ExchangeOutcome =
  /** It brought one answer (or a final status), already heard. */
  | { kind: "answered" }
  /** An event stream closed after it delivered statuses; reconnect after `retry` if the stream set it. */
  | { kind: "closed"; retry: number | undefined }
  /** It failed in a way that retrying may fix; `retryAfter` is the server's hint. */
  | { kind: "failure"; error: unknown; retryAfter: number | undefined }
  /** The server does not speak this transport here: continue the wait with another. */
  | { kind: "fallback"; transport: Transport };

/**
 * One way of hearing about a job. Created per wait, so it may keep state
 * across the exchanges of that wait (long-poll applied, last event id).
 * It throws errors that retrying cannot fix and the abort reason.
 */
export interface Transport {
  /** Sends one request (or opens one stream) and reports what it heard. */
  exchange(exchange: Exchange): Promise<ExchangeOutcome>;
}
