/**
 * The settings a wait runs with: the client's options after their defaults
 * and checks.
 *
 * @module
 */

import { Backoff } from "../timing/backoff.ts";
import { type Clock, systemClock } from "../timing/clock.ts";
import type { PollSchedule } from "../timing/schedule.ts";
import {
  assertFiniteAtLeast,
  assertFunction,
  assertMethods,
  assertOptionsObject,
  show,
} from "../util/validate.ts";
import type { RetryEvent, StatusUpdate } from "./types.ts";
import { OriginPolicy } from "./origin.ts";
import { parseHeaders } from "./headers.ts";
import { Secrets } from "./secrets.ts";
import type { Dialect } from "./dialect_options.ts";
import { resolveDialectOptions } from "./dialect_options.ts";
import { joinPath, parseUrl } from "./url.ts";
import { resolveWebSocket, type WebSocketOptions } from "./websocket.ts";
import type { Strategy, VideoStatusClientOptions } from "./options.ts";
import { MemoryBudget } from "./budget.ts";
import type { RequestBudget } from "./request_budget.ts";
import { resolveWebhookOptions, type WebhookSettings } from "./webhook_wait.ts";
import { type HookSettings, resolveHooks } from "./hooks.ts";

/** The options after defaults and checks, as the client and its waits use them. */
export interface ClientSettings extends WebhookSettings, HookSettings {
  serverUrl: string;
  statusUrl: string;
  maxRetries: number;
  /** Delays between retries of failed requests. */
  retryBackoff: Backoff;
  /** Delays after pacing answers without a hint: past `maxDelay`, up to `maxRetryAfter`. */
  pacingBackoff: Backoff;
  schedule: PollSchedule;
  jitter: number;
  random: () => number;
  timeout: number;
  requestTimeout: number;
  strategy: Strategy;
  longPollWait: number;
  minDelay: number;
  maxRetryAfter: number;
  maxRequestsPerSecond: number;
  /** The budget of `budget`, or one of `maxRequestsPerSecond`. */
  budget: RequestBudget;
  headers: Headers;
  /** The configured header values, hidden from what the client reports. */
  secrets: Secrets;
  /** Which origins may be requested, and which get `headers`. */
  origins: OriginPolicy;
  maxRedirects: number;
  fetch: typeof fetch;
  /** `undefined` where the runtime has no WebSocket. */
  webSocket: WebSocketOptions["webSocket"];
  clock: Clock;
  onUpdate: ((update: StatusUpdate) => void) | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
  dialect: Dialect;
}

const STRATEGIES = ["auto", "poll", "long-poll", "sse", "websocket"];
const SUBJECT = "VideoStatusClient";
const CREATE = `create ${SUBJECT}`;

/** Applies the defaults and checks every option, throwing TypeError or RangeError. */
export function resolveOptions(
  options: VideoStatusClientOptions,
): ClientSettings {
  assertOptionsObject(SUBJECT, options);
  const {
    serverUrl = "http://127.0.0.1:5000",
    statusUrl,
    maxRetries = 5,
    initialDelay = 1000,
    maxDelay = 5000,
    jitter = 0.1,
    random = Math.random,
    timeout = 600_000,
    requestTimeout = 10_000,
    strategy = "auto",
    longPollWait = 30_000,
    minDelay = 100,
    maxRetryAfter = 60_000,
    maxRequestsPerSecond = Infinity,
    maxRedirects = 5,
    fetch: fetchFn = globalThis.fetch,
    clock = systemClock,
  } = options;
  const server = parseUrl(CREATE, "serverUrl", serverUrl).href;
  const status = statusUrl === undefined
    ? joinPath(server, "/status")
    : parseUrl(CREATE, "statusUrl", statusUrl).href;
  assertCount("maxRetries", maxRetries);
  assertCount("maxRedirects", maxRedirects);
  const headers = parseHeaders(SUBJECT, options.headers);
  const dialect = resolveDialectOptions(SUBJECT, options, headers);
  assertFiniteAtLeast(SUBJECT, "initialDelay", initialDelay, 0);
  assertFiniteAtLeast(
    SUBJECT,
    "maxDelay",
    maxDelay,
    initialDelay,
    "initialDelay",
  );
  if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)) {
    throw new RangeError(
      `Cannot create ${SUBJECT} as 'jitter' must be a number from 0 to 1: current value is ${
        show(jitter)
      }`,
    );
  }
  assertFiniteAtLeast(SUBJECT, "timeout", timeout, 1);
  assertFiniteAtLeast(SUBJECT, "requestTimeout", requestTimeout, 1);
  assertFiniteAtLeast(SUBJECT, "longPollWait", longPollWait, 1000);
  assertFiniteAtLeast(SUBJECT, "minDelay", minDelay, 0);
  assertFiniteAtLeast(
    SUBJECT,
    "maxRetryAfter",
    maxRetryAfter,
    minDelay,
    "minDelay",
  );
  if (
    typeof maxRequestsPerSecond !== "number" || !(maxRequestsPerSecond > 0)
  ) {
    throw new RangeError(
      `Cannot create ${SUBJECT} as 'maxRequestsPerSecond' must be a positive number: current value is ${
        show(maxRequestsPerSecond)
      }`,
    );
  }
  const budget = resolveBudget(options, maxRequestsPerSecond, clock);
  assertFunction(SUBJECT, "random", random);
  assertMethods(SUBJECT, "clock", clock, ["now", "sleep"]);
  if (options.schedule !== undefined) {
    assertMethods(SUBJECT, "schedule", options.schedule, ["nextDelay"]);
  }
  assertFunction(SUBJECT, "onUpdate", options.onUpdate, true);
  assertFunction(SUBJECT, "onRetry", options.onRetry, true);
  if (!STRATEGIES.includes(strategy)) {
    throw new TypeError(
      `Cannot create ${SUBJECT} as 'strategy' must be one of ${
        STRATEGIES.join(", ")
      }: current value is ${show(strategy)}`,
    );
  }
  assertFunction(SUBJECT, "fetch", fetchFn);
  const retryBackoff = new Backoff({ initialDelay, maxDelay, jitter, random });
  return {
    serverUrl: server,
    statusUrl: status,
    maxRetries,
    retryBackoff,
    pacingBackoff: new Backoff({
      initialDelay: Math.min(initialDelay, maxRetryAfter),
      maxDelay: maxRetryAfter,
      jitter,
      random,
    }),
    schedule: options.schedule ?? retryBackoff,
    jitter,
    random,
    timeout,
    requestTimeout,
    strategy,
    longPollWait,
    minDelay,
    maxRetryAfter,
    maxRequestsPerSecond,
    budget,
    headers,
    secrets: new Secrets(headers),
    origins: new OriginPolicy(
      [new URL(server), new URL(status)],
      options.allowedOrigins,
    ),
    maxRedirects,
    // Called bare: browsers reject a fetch invoked with another `this`.
    fetch: (input, init) => fetchFn(input, init),
    webSocket: resolveWebSocket(SUBJECT, options.webSocket),
    clock,
    onUpdate: options.onUpdate,
    onRetry: options.onRetry,
    dialect,
    ...resolveWebhookOptions(SUBJECT, options),
    ...resolveHooks(SUBJECT, options.hooks),
  };
}

function assertCount(name: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new RangeError(
      `Cannot create ${SUBJECT} as '${name}' must be a non-negative integer: current value is ${
        show(value)
      }`,
    );
  }
}

function resolveBudget(
  options: VideoStatusClientOptions,
  maxRequestsPerSecond: number,
  clock: Clock,
): RequestBudget {
  if (options.budget === undefined) {
    return new MemoryBudget(maxRequestsPerSecond, clock);
  }
  if (options.maxRequestsPerSecond !== undefined) {
    throw new TypeError(
      `Cannot create ${SUBJECT} as 'budget' and 'maxRequestsPerSecond' exclude each other: the budget sets the rate`,
    );
  }
  assertMethods(SUBJECT, "budget", options.budget, ["acquire", "sent", "done"]);
  return options.budget;
}
