/**
 * OpenTelemetry tracing for `VideoStatusClient`: {@linkcode otelHooks} makes
 * the client's `hooks` write one span per wait, with one child span per
 * request following the HTTP client semantic conventions, and send the W3C
 * `traceparent` header with each request. It needs `@opentelemetry/api`
 * (an optional peer dependency of the npm package; install it with the
 * SDK you export spans with).
 *
 * @example Trace every wait of a client
 * ```ts ignore
 * import { VideoStatusClient } from "@video-status/client";
 * import { otelHooks } from "@video-status/client/otel";
 *
 * // With an OpenTelemetry SDK registered (its global tracer provider).
 * const client = new VideoStatusClient({ hooks: otelHooks() });
 * await client.waitForJob("a1b2c3");
 * ```
 *
 * @module
 */

import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type { ClientHooks } from "../client/hooks.ts";

/**
 * Options of {@linkcode otelHooks}.
 *
 * @example A tracer of one's own
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import type { OtelHooksOptions } from "@video-status/client/otel";
 *
 * const options: OtelHooksOptions = { tracer: trace.getTracer("renders", "1.0.0") };
 * ```
 */
export interface OtelHooksOptions {
  /**
   * The tracer that makes the spans.
   *
   * @default {trace.getTracer("video-status-client")} (the global tracer provider's, looked up at each wait)
   */
  tracer?: Tracer;
}

/** The span of a wait, and the context its requests' spans are children of. */
export interface WaitSpan {
  /** The wait's span. */
  span: Span;
  /** The context holding it. */
  context: Context;
}

/** The name of the default tracer (the instrumentation scope). */
const SCOPE = "video-status-client";

// Query values the HTTP semantic conventions ask to hide in `url.full`.
const SENSITIVE_QUERY = [
  "AWSAccessKeyId",
  "Signature",
  "sig",
  "X-Goog-Signature",
];

const HEADERS_SETTER: TextMapSetter<Headers> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/**
 * Client hooks that trace with OpenTelemetry:
 *
 * - one span per wait, `video_status.wait`, a child of the context active
 *   when the wait starts, with the attributes `video_status.job.id`,
 *   `video_status.dialect`, `video_status.strategy`, and at its end
 *   `video_status.outcome` (`completed`, `error`, `timeout`, `aborted`,
 *   `failed`) and `video_status.request.count`; a wait that throws ends
 *   with the status `ERROR` and `error.type` (the error's name);
 * - for each `step()`, a `video_status.step` span of the same attributes,
 *   with `video_status.attempt` (the attempt it sends, from 1) and the
 *   outcome `pending` while the wait goes on: the steps of one wait share
 *   its job id, whatever process ran them;
 * - one `CLIENT` span per request (named by its method, as the HTTP client
 *   conventions say), a child of its wait's span (or of the active context
 *   for `check()`, `createJob()`, `cancel()`), with `http.request.method`,
 *   `url.full` (without credentials, signature query values `REDACTED`),
 *   `server.address`, `server.port`, then `http.response.status_code`, and
 *   `error.type` (the status code from 400 on, or the error's name when the
 *   request got no answer) with the status `ERROR`;
 * - the request span's context in the request's headers, through the
 *   global propagator (`propagation.inject`); when none is registered, the
 *   W3C `traceparent` header is written directly, so that it is always sent
 *   for a sampled or unsampled real span. A propagator of another format
 *   that is registered is used as it is.
 *
 * @example The spans of a wait, with the global (here no-op) tracer
 * ```ts
 * import { VideoStatusClient } from "@video-status/client";
 * import { otelHooks } from "@video-status/client/otel";
 * import { FakeClock, json, scriptedFetch } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const { fetch } = scriptedFetch([json({ result: "completed" })]);
 * const client = new VideoStatusClient({ fetch, clock: new FakeClock(), hooks: otelHooks() });
 * assert.equal((await client.waitForJob("a1")).result, "completed");
 * ```
 *
 * @param options The tracer.
 * @returns The hooks, for the client's `hooks` option.
 */
export function otelHooks(
  options: OtelHooksOptions = {},
): ClientHooks<WaitSpan, Span> {
  const tracer = (): Tracer => options.tracer ?? trace.getTracer(SCOPE);
  return {
    onWaitStart(info): WaitSpan {
      const parent = context.active();
      const attributes: Attributes = {
        "video_status.dialect": info.dialect,
        "video_status.strategy": info.strategy,
      };
      if (info.jobId !== undefined) {
        attributes["video_status.job.id"] = info.jobId;
      }
      if (info.step !== undefined) {
        attributes["video_status.attempt"] = info.step;
      }
      const span = tracer().startSpan(
        info.step === undefined ? "video_status.wait" : "video_status.step",
        { kind: SpanKind.INTERNAL, attributes },
        parent,
      );
      return { span, context: trace.setSpan(parent, span) };
    },
    onWaitEnd({ wait, outcome, requests, error }): void {
      const { span } = wait;
      span.setAttributes({
        "video_status.outcome": outcome,
        "video_status.request.count": requests,
      });
      if (error !== undefined) fail(span, error);
      span.end();
    },
    onRequest({ method, url, headers, wait }): Span {
      const parent = wait?.context ?? context.active();
      const span = tracer().startSpan(method, {
        kind: SpanKind.CLIENT,
        attributes: requestAttributes(method, url),
      }, parent);
      const active = trace.setSpan(parent, span);
      propagation.inject(active, headers, HEADERS_SETTER);
      if (propagation.fields().length === 0) {
        // No propagator registered: the W3C header all the same.
        const spanContext = span.spanContext();
        if (isSpanContextValid(spanContext)) {
          headers.set("traceparent", traceparent(spanContext));
        }
      }
      return span;
    },
    onResponse({ request: span, status }): void {
      span.setAttribute("http.response.status_code", status);
      if (status >= 400) {
        span.setAttribute("error.type", String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
    onRequestError({ request: span, error }): void {
      fail(span, error);
      span.end();
    },
  };
}

/** Marks a span failed by `error`: its status, its `error.type`, the exception event. */
function fail(span: Span, error: unknown): void {
  const name = error instanceof Error ? error.name : undefined;
  span.setAttribute("error.type", name || "_OTHER");
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  if (error instanceof Error) span.recordException(error);
}

// The methods the HTTP conventions name; any other is reported as `_OTHER`.
const KNOWN_METHODS = new Set([
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "TRACE",
]);

/** The HTTP client attributes known before a request goes. */
function requestAttributes(method: string, href: string): Attributes {
  const attributes: Attributes = {
    "http.request.method": KNOWN_METHODS.has(method) ? method : "_OTHER",
  };
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return attributes;
  }
  for (const name of SENSITIVE_QUERY) {
    if (url.searchParams.has(name)) url.searchParams.set(name, "REDACTED");
  }
  attributes["url.full"] = url.href;
  attributes["server.address"] = url.hostname;
  attributes["server.port"] = Number(url.port) ||
    (url.protocol === "https:" ? 443 : 80);
  return attributes;
}

/** The W3C Trace Context header of a span context. */
function traceparent(
  spanContext: { traceId: string; spanId: string; traceFlags: number },
): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}
