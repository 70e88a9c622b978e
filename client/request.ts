// Sending one request: the caller's abort signal and a timeout linked into
// the one signal the request runs under, the budget slot stamped as it goes,
// and the body read within the same bounds. Every request of the client,
// and its wait for a budget slot, goes through `LinkedSignal`.

import { readBoundedText } from "../protocol/body.ts";
import type { Clock } from "../timing/clock.ts";

/**
 * A signal that aborts with the caller's reason when the caller's signal
 * aborts, or with `onTimeout()`'s value when `timeout` passes first.
 * `restart()` re-arms the timer (an event stream's idle timer); `close()`
 * must always be called, and aborts the linked signal if it has not.
 */
export class LinkedSignal {
  readonly #controller = new AbortController();
  readonly #clock: Clock;
  readonly #outer: AbortSignal | undefined;
  readonly #onAbort: () => void;
  readonly #onTimeout: () => unknown;
  #timeout: number;
  #timer: AbortController | undefined;

  constructor(
    clock: Clock,
    outer: AbortSignal | undefined,
    timeout: number,
    onTimeout: () => unknown,
  ) {
    this.#clock = clock;
    this.#outer = outer;
    this.#timeout = timeout;
    this.#onTimeout = onTimeout;
    this.#onAbort = () => this.#controller.abort(outer?.reason);
    if (outer?.aborted) this.#onAbort();
    else outer?.addEventListener("abort", this.#onAbort, { once: true });
    this.restart();
  }

  /** The signal to run the request under. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts the timeout over, now, optionally with a new length. */
  restart(timeout: number = this.#timeout): void {
    this.#timeout = timeout;
    this.#timer?.abort();
    if (this.signal.aborted) return;
    const timer = new AbortController();
    this.#timer = timer;
    this.#clock.sleep(timeout, timer.signal).then(
      () => this.#controller.abort(this.#onTimeout()),
      () => {},
    );
  }

  /** Stops the timer, unlinks the caller's signal and ends the request. */
  close(): void {
    this.#timer?.abort();
    this.#outer?.removeEventListener("abort", this.#onAbort);
    if (!this.signal.aborted) this.#controller.abort();
  }
}

/**
 * Calls `fetch` under `link`'s signal, calling `onSent` right before. A fetch
 * that answered although it was aborted (an in-process handler, say) must
 * not pass for an answer, so it rejects with the abort reason.
 */
export async function send(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  link: LinkedSignal,
  onSent: () => void,
): Promise<Response> {
  link.signal.throwIfAborted();
  onSent();
  try {
    const response = await fetchFn(url, { ...init, signal: link.signal });
    link.signal.throwIfAborted();
    return response;
  } catch (error) {
    throw link.signal.aborted ? link.signal.reason : error;
  }
}

/** Reads a body as bounded text under `link`, rejecting with its abort reason. */
export async function readText(
  response: Response,
  link: LinkedSignal,
): Promise<string> {
  try {
    const { text } = await readBoundedText(response);
    link.signal.throwIfAborted();
    return text;
  } catch (error) {
    throw link.signal.aborted ? link.signal.reason : error;
  }
}

/** The headers, with the defaults for names they do not set. */
export function withDefaults(
  base: Headers,
  defaults: Record<string, string>,
): Headers {
  const headers = new Headers(base);
  for (const [name, value] of Object.entries(defaults)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  return headers;
}
