// Sending one request: the caller's abort signal and a timeout linked into
// the one signal the request runs under, the budget slot stamped once the
// request is in `fetch`'s hands, redirects followed within the origin
// policy, and the body read within the same bounds. Every request of the
// client, and its wait for a budget slot, goes through `LinkedSignal`.

import type { RequestLabel } from "./answer.ts";
import type { RequestBudget } from "./request_budget.ts";
import {
  NetworkError,
  RequestError,
  RequestTimeoutError,
} from "./errors/mod.ts";
import type { ClientSettings } from "./settings.ts";
import type { RequestTrace } from "./hooks.ts";
import { type OriginPolicy, refusal } from "./origin.ts";
import { redact, showUrl } from "./url.ts";
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

/** What sending needs of the client. */
export type SendSettings = Pick<
  ClientSettings,
  "fetch" | "headers" | "origins" | "secrets" | "maxRedirects" | "trace"
>;

/** What a transport needs of the client to send its requests. */
export type TransportSettings =
  & Pick<
    ClientSettings,
    "clock" | "requestTimeout" | "longPollWait" | "dialect"
  >
  & SendSettings;

/** One request as a transport asks for it. */
export interface Outgoing {
  method: "GET" | "POST" | "DELETE";
  /** Where to send it (no user info: the options refuse it). */
  url: string;
  /** Headers the configured ones may replace (`accept`, `content-type`). */
  defaults: Record<string, string>;
  /** Headers that replace the configured ones (`prefer`, `last-event-id`). */
  headers?: Record<string, string>;
  body?: string;
  /** The request as errors name it. */
  label: RequestLabel;
  /** The hooks of its wait; the client's own (`settings.trace`) when absent. */
  trace?: RequestTrace;
}

/** The answer, and the URL that gave it after redirects. */
export interface Sent {
  response: Response;
  url: string;
}

// Statuses that redirect with a Location; any other 3xx is an answer.
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Sends a request under `link`'s signal, calling `onSent` as soon as it has
 * gone to `fetch` (so that no `fetch` wrapper can time it before), and
 * follows redirects itself (`redirect: "manual"`), so that `fetch` never
 * forwards the configured headers: each hop is checked against the origin
 * policy and gets them only on an origin meant to. Redirect hops share the
 * request's budget slot and are not attempts.
 *
 * Rejects with the abort reason, a `RequestError` (retrying cannot help) or
 * a `NetworkError` (no answer; its cause carries no secret). A fetch that
 * answered although it was aborted (an in-process handler, say) must not
 * pass for an answer, so it rejects with the abort reason.
 */
export function send(
  settings: SendSettings,
  outgoing: Outgoing,
  link: LinkedSignal,
  onSent: () => void,
): Promise<Sent> {
  const trace = outgoing.trace ?? settings.trace;
  return trace === undefined
    ? follow(settings, outgoing, link, onSent)
    : traced(trace, settings, outgoing, link, onSent);
}

/** Sends a request between its hooks, with the headers `onRequest` adds. */
async function traced(
  trace: RequestTrace,
  settings: SendSettings,
  outgoing: Outgoing,
  link: LinkedSignal,
  onSent: () => void,
): Promise<Sent> {
  const { method, url } = outgoing.label;
  const { headers, request } = trace.start(method, url);
  try {
    const sent = await follow(
      settings,
      {
        ...outgoing,
        // The transport's own headers (`prefer`, `last-event-id`) win.
        headers: { ...Object.fromEntries(headers), ...outgoing.headers },
      },
      link,
      onSent,
    );
    trace.answered(method, url, request, sent.response.status);
    return sent;
  } catch (error) {
    trace.failed(method, url, request, error);
    throw error;
  }
}

/** Sends a request and follows its redirects. */
async function follow(
  settings: SendSettings,
  outgoing: Outgoing,
  link: LinkedSignal,
  onSent: () => void,
): Promise<Sent> {
  const { label } = outgoing;
  let request = outgoing;
  let url = new URL(outgoing.url);
  link.signal.throwIfAborted();
  for (let redirects = 0;; redirects++) {
    const response = await fetchOnce(
      settings,
      request,
      url,
      link,
      redirects === 0 ? onSent : undefined,
    );
    // Browsers hide a redirect's status and Location from scripts.
    if (response.type === "opaqueredirect") {
      throw new RequestError(
        "Cannot follow a redirect that the runtime hides (browsers do): point the URL options at where the server redirects",
        label,
      );
    }
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) {
      return { response, url: url.href };
    }
    await response.body?.cancel().catch(() => {});
    if (redirects >= settings.maxRedirects) {
      throw new RequestError(
        `Cannot follow more than ${settings.maxRedirects} redirects in a row (see 'maxRedirects')`,
        label,
      );
    }
    url = target(settings.origins, location, url, "follow a redirect", label);
    // As fetch does: a 303 turns any request into a GET, a 301 or 302 a
    // POST, and the GET goes without the body and its headers.
    const { status } = response;
    if (status === 303 || (request.method === "POST" && status < 303)) {
      request = { ...request, method: "GET", body: undefined, defaults: {} };
    }
  }
}

/**
 * The URL a server named (a `Location`), resolved against `base`, if the
 * client may go there; otherwise a `RequestError` saying why and what
 * would allow it.
 */
export function target(
  origins: OriginPolicy,
  location: string,
  base: URL,
  action: string,
  label: RequestLabel,
): URL {
  let url: URL;
  try {
    url = new URL(location, base);
  } catch {
    throw new RequestError(
      `Cannot ${action} to ${showUrl(location)} as it is not a URL`,
      label,
    );
  }
  if (origins.reach(url) === "refused") {
    throw new RequestError(
      `Cannot ${action} to ${redact(url.href)} as ${refusal(url)}`,
      label,
    );
  }
  return url;
}

/**
 * One hop: the headers its origin may get, and fetch's failures made safe;
 * `onSent` is called once `fetch` has the request.
 */
async function fetchOnce(
  settings: SendSettings,
  outgoing: Outgoing,
  url: URL,
  link: LinkedSignal,
  onSent?: () => void,
): Promise<Response> {
  const { secrets } = settings;
  const { method, body } = outgoing;
  const hop = { method, url: redact(url.href) };
  let headers: Headers;
  try {
    headers = headersFor(settings, outgoing, url);
  } catch (error) {
    // A header value a server gave (an event id) that no request can carry.
    throw new RequestError(
      `Cannot make the request: ${secrets.describe(error)}`,
      { ...hop, cause: secrets.copy(error) },
    );
  }
  try {
    const init: RequestInit = {
      method,
      headers,
      body,
      redirect: "manual",
      signal: link.signal,
    };
    const answer = settings.fetch(url.href, init);
    // Not before the call: whatever runs between (a collection pause, the
    // headers) would put the request after its budget stamp, and the next
    // request of its slot less than a second after it.
    onSent?.();
    const response = await answer;
    link.signal.throwIfAborted();
    return response;
  } catch (error) {
    if (link.signal.aborted) throw link.signal.reason;
    throw new NetworkError(secrets.describe(error), {
      ...hop,
      cause: secrets.copy(error),
    });
  }
}

/** The request's headers on `url`: the configured ones only where they may go. */
function headersFor(
  settings: SendSettings,
  outgoing: Outgoing,
  url: URL,
): Headers {
  const reach = settings.origins.reach(url);
  if (reach === "refused") {
    throw new TypeError(`the URL's origin ${url.origin} is not allowed`);
  }
  const headers = new Headers(
    reach === "with-headers" ? settings.headers : undefined,
  );
  for (const [name, value] of Object.entries(outgoing.defaults)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  for (const [name, value] of Object.entries(outgoing.headers ?? {})) {
    headers.set(name, value);
  }
  if (outgoing.body === undefined) headers.delete("content-type");
  return headers;
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

/** What a request outside a wait needs of the client. */
export type OnceSettings =
  & SendSettings
  & Pick<ClientSettings, "clock">
  & { budget: RequestBudget };

/** The answer of a request outside a wait, read. */
export interface Answered extends Sent {
  /** The body, bounded. */
  text: string;
  /** The clock's time when the request went to `fetch`. */
  sentAt: number;
}

/**
 * Sends one request outside a wait (create, cancel): it takes its place in
 * the request budget, runs within `timeout` (a `RequestTimeoutError` past
 * it) and `signal`, and its body is read within the same bounds. Not
 * retried: the caller decides.
 */
export async function sendOnce(
  settings: OnceSettings,
  outgoing: Outgoing,
  signal: AbortSignal | undefined,
  timeout: number,
): Promise<Answered> {
  const { budget, clock } = settings;
  const ticket = await budget.acquire(signal);
  const link = new LinkedSignal(
    clock,
    signal,
    timeout,
    () => new RequestTimeoutError(timeout, outgoing.label),
  );
  let sentAt = 0;
  try {
    const sent = await send(settings, outgoing, link, () => {
      budget.sent(ticket);
      sentAt = clock.now();
    });
    const text = await readText(sent.response, link);
    return { ...sent, text, sentAt };
  } finally {
    link.close();
    // A place whose request never went goes back to the budget.
    budget.done(ticket);
  }
}
