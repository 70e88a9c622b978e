/**
 * Tracing hooks: callbacks around a wait and each request it sends, for a
 * tracer (the `./otel` entry's `otelHooks()`), metrics or logs. The core
 * depends on no tracing library: a hook gets plain values and returns its
 * own context, which later hooks of the same wait or request get back.
 *
 * A hook never changes what a wait does: an exception it throws is caught,
 * handed to `onHookError` (dropped without one), and the wait carries on.
 *
 * @module
 */

import type { Strategy } from "./options.ts";
import type { FinalUpdate } from "./types.ts";
import { assertFunction, show } from "../util/validate.ts";

/**
 * What `onWaitStart` hears of a wait.
 *
 * @example
 * ```ts
 * import type { WaitStartInfo } from "@video-status/client";
 *
 * const info: WaitStartInfo = {
 *   jobId: "a1",
 *   url: "http://127.0.0.1:5000/jobs/a1",
 *   dialect: "video-status",
 *   strategy: "auto",
 *   timeout: 60_000,
 * };
 * ```
 */
export interface WaitStartInfo {
  /** The job's id; `undefined` for a wait on `statusUrl`. */
  jobId: string | undefined;
  /** The status URL, without credentials. */
  url: string;
  /** The dialect's name. */
  dialect: string;
  /** The client's strategy. */
  strategy: Strategy;
  /** The wait's time limit, in milliseconds. */
  timeout: number;
  /**
   * For one step of a wait (`step()`, each hooked as a wait of its own): the
   * attempt it sends, from 1. `undefined` for a whole wait.
   */
  step?: number;
}

/**
 * How a wait ended: its final status (`completed`, `error`), or why it
 * threw: `timeout` (a `TimeoutError`), `aborted` (its signal), `failed`
 * (anything else: a `RetryError`, an `HTTPError` …). A step after which
 * the wait goes on ends `pending`.
 *
 * @example
 * ```ts
 * import type { WaitOutcome } from "@video-status/client";
 *
 * const outcome: WaitOutcome = "timeout";
 * ```
 */
export type WaitOutcome =
  | "completed"
  | "error"
  | "pending"
  | "timeout"
  | "aborted"
  | "failed";

/**
 * What `onWaitEnd` hears of a wait.
 *
 * @example
 * ```ts
 * import type { WaitEndInfo } from "@video-status/client";
 *
 * const line = (end: WaitEndInfo): string => `${end.outcome} after ${end.requests} requests`;
 * ```
 */
export interface WaitEndInfo<W = unknown> extends WaitStartInfo {
  /** What `onWaitStart` returned. */
  wait: W;
  /** How it ended. */
  outcome: WaitOutcome;
  /** How many requests it sent (each `onRequest`). */
  requests: number;
  /** The final update, when it ended with one. */
  update?: FinalUpdate;
  /** What the wait threw, when it did. */
  error?: unknown;
}

/**
 * What `onRequest` hears of a request, before it goes.
 *
 * @example
 * ```ts
 * import type { RequestStartInfo } from "@video-status/client";
 *
 * const tag = (request: RequestStartInfo): void => request.headers.set("x-request-id", crypto.randomUUID());
 * ```
 */
export interface RequestStartInfo<W = unknown> {
  /** The request's method. */
  method: string;
  /** Its URL, without credentials. */
  url: string;
  /**
   * Headers to send with it: what the hook sets here is added to the
   * request (and to the hops of its redirects), over the configured ones.
   */
  headers: Headers;
  /** What `onWaitStart` returned; `undefined` outside a wait (`check()`, `createJob()`, `cancel()`). */
  wait: W | undefined;
}

/**
 * What `onResponse` hears: a request answered (any status).
 *
 * @example
 * ```ts
 * import type { ResponseInfo } from "@video-status/client";
 *
 * const failed = (info: ResponseInfo): boolean => info.status >= 400;
 * ```
 */
export interface ResponseInfo<W = unknown, R = unknown> {
  /** The request's method. */
  method: string;
  /** Its URL, without credentials. */
  url: string;
  /** What `onRequest` returned. */
  request: R;
  /** What `onWaitStart` returned; `undefined` outside a wait. */
  wait: W | undefined;
  /** The answer's HTTP status (after redirects). */
  status: number;
}

/**
 * What `onRequestError` hears: a request that got no answer (a network
 * error, its timeout, an abort, a refused redirect).
 *
 * @example
 * ```ts
 * import type { RequestErrorInfo } from "@video-status/client";
 *
 * const kind = (info: RequestErrorInfo): string => (info.error as Error)?.name ?? "unknown";
 * ```
 */
export interface RequestErrorInfo<W = unknown, R = unknown> {
  /** The request's method. */
  method: string;
  /** Its URL, without credentials. */
  url: string;
  /** What `onRequest` returned. */
  request: R;
  /** What `onWaitStart` returned; `undefined` outside a wait. */
  wait: W | undefined;
  /** Why it failed. */
  error: unknown;
}

/**
 * Callbacks around each wait and each request, all optional. `W` is what
 * `onWaitStart` returns (a span, say) and `R` what `onRequest` returns;
 * each comes back to the later hooks of its wait or request. Every wait
 * that starts ends: `onWaitEnd` is called once, whatever the outcome; every
 * request gets `onResponse` or `onRequestError`. A WebSocket connection is
 * no request here (browsers let it carry no header).
 *
 * A hook that throws changes nothing: the error goes to `onHookError`
 * (dropped without one) and the wait or request carries on.
 *
 * @example Log each request's status
 * ```ts
 * import { type ClientHooks, VideoStatusClient } from "@video-status/client";
 *
 * const hooks: ClientHooks<number, number> = {
 *   onWaitStart: () => Date.now(),
 *   onRequest: () => Date.now(),
 *   onResponse: ({ method, url, status, request }) =>
 *     console.log(method, url, status, `${Date.now() - request} ms`),
 * };
 * const client = new VideoStatusClient({ hooks });
 * ```
 */
export interface ClientHooks<W = unknown, R = unknown> {
  /** Called as a wait starts; returns the wait's context. */
  onWaitStart?(info: WaitStartInfo): W;
  /** Called once as the wait ends, however it ends. */
  onWaitEnd?(info: WaitEndInfo<W>): void;
  /** Called before each request goes; may add headers; returns the request's context. */
  onRequest?(info: RequestStartInfo<W>): R;
  /** Called when a request is answered (before its body is read). */
  onResponse?(info: ResponseInfo<W, R>): void;
  /** Called when a request gets no answer. */
  onRequestError?(info: RequestErrorInfo<W, R>): void;
  /** Called with what another hook threw; the name says which. */
  onHookError?(error: unknown, hook: string): void;
}

/** The hooks of one wait's requests (or of the requests outside a wait), counting them. */
export class RequestTrace {
  readonly #hooks: ClientHooks;
  readonly #wait: unknown;
  /** How many requests started. */
  requests = 0;

  constructor(hooks: ClientHooks, wait: unknown) {
    this.#hooks = hooks;
    this.#wait = wait;
  }

  /** A request is about to go: the headers the hook adds, and its context. */
  start(method: string, url: string): { headers: Headers; request: unknown } {
    this.requests++;
    const headers = new Headers();
    const request = call(this.#hooks, "onRequest", {
      method,
      url,
      headers,
      wait: this.#wait,
    });
    return { headers, request };
  }

  /** The request was answered. */
  answered(
    method: string,
    url: string,
    request: unknown,
    status: number,
  ): void {
    call(this.#hooks, "onResponse", {
      method,
      url,
      request,
      wait: this.#wait,
      status,
    });
  }

  /** The request got no answer. */
  failed(method: string, url: string, request: unknown, error: unknown): void {
    call(this.#hooks, "onRequestError", {
      method,
      url,
      request,
      wait: this.#wait,
      error,
    });
  }
}

const HOOKS = [
  "onWaitStart",
  "onWaitEnd",
  "onRequest",
  "onResponse",
  "onRequestError",
  "onHookError",
] as const;

/** The `hooks` option, checked, and the trace of requests outside a wait. */
export interface HookSettings {
  hooks: ClientHooks | undefined;
  /** Traces the requests outside a wait (`check()`, `createJob()`, `cancel()`). */
  trace: RequestTrace | undefined;
}

/** Checks the `hooks` option: an object whose hooks are functions. */
export function resolveHooks(subject: string, hooks: unknown): HookSettings {
  if (hooks === undefined) return { hooks: undefined, trace: undefined };
  if (typeof hooks !== "object" || hooks === null) {
    throw new TypeError(
      `Cannot create ${subject} as 'hooks' must be an object: current value is ${
        show(hooks)
      }`,
    );
  }
  for (const name of HOOKS) {
    assertFunction(
      subject,
      `hooks.${name}`,
      (hooks as ClientHooks)[name],
      true,
    );
  }
  const checked = hooks as ClientHooks;
  return { hooks: checked, trace: new RequestTrace(checked, undefined) };
}

/** Calls a hook, if it is there, handing what it throws to `onHookError`. */
export function call<K extends Exclude<keyof ClientHooks, "onHookError">>(
  hooks: ClientHooks,
  name: K,
  info: Parameters<NonNullable<ClientHooks[K]>>[0],
): unknown {
  try {
    // deno-lint-ignore no-explicit-any
    return (hooks[name] as ((info: any) => unknown) | undefined)?.call(
      hooks,
      info,
    );
  } catch (error) {
    try {
      hooks.onHookError?.(error, name);
    } catch {
      // Nothing is left to tell.
    }
    return undefined;
  }
}
