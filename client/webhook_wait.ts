// Webhooks in a wait: the wait listens to a `WebhookSource` for its job
// while it polls on a slow safety-net schedule, and ends on whichever brings
// a final status first. This file holds the options and the link between
// one wait and the source; the engine decides what a status means.
//
// A verified event is heard like any status (its final ends the wait); an
// unverified one is only a hint that wakes the wait for one request, which
// `minDelay` still spaces, so that no flood of hints makes the client spin.

import type { Clock } from "../timing/clock.ts";
import { assertFiniteAtLeast, assertMethods, show } from "../util/validate.ts";
import type { Heard } from "./transport.ts";
import type { WebhookEvent, WebhookSource } from "./webhooks/source.ts";

// Event ids a wait remembers to drop duplicates.
const SEEN_IDS = 256;
/**
 * The client's webhook options.
 *
 * @example Listen to a receiver, and poll every two minutes meanwhile
 * ```ts
 * import { VideoStatusClient, type WebhookOptions } from "@video-status/client";
 *
 * const options: WebhookOptions = {
 *   webhooks: { listen: () => () => {} },
 *   webhookSafetyDelay: 120_000,
 * };
 * const client = new VideoStatusClient(options);
 * ```
 */
export interface WebhookOptions {
  /**
   * Where every wait for a job (`waitForJob()`, `watch(job)`) hears webhook
   * events for it, usually the webhook receiver; a wait's own `webhooks`
   * option overrides it. A wait then ends on whichever comes first: a
   * verified final event for its job, or a final status from polling, which
   * slows to one request every `webhookSafetyDelay`. `getStatus()` and
   * `watch()` without a job have no job id and never listen.
   */
  webhooks?: WebhookSource;
  /**
   * While a wait listens to webhooks: the delay after a pending status
   * before the next request, in place of the schedule (a server's longer
   * `Retry-After` still wins; `minDelay` and `timeout` still hold). The
   * first request is still sent at once.
   *
   * @default {60000}
   */
  webhookSafetyDelay?: number;
}

/** The webhook options after defaults and checks. */
export interface WebhookSettings {
  webhooks: WebhookSource | undefined;
  webhookSafetyDelay: number;
}

/** Applies the defaults and checks the webhook options. */
export function resolveWebhookOptions(
  subject: string,
  options: WebhookOptions,
): WebhookSettings {
  const { webhooks, webhookSafetyDelay = 60_000 } = options;
  if (webhooks !== undefined) {
    assertMethods(subject, "webhooks", webhooks, ["listen"]);
  }
  assertFiniteAtLeast(subject, "webhookSafetyDelay", webhookSafetyDelay, 0);
  return { webhooks, webhookSafetyDelay };
}

/** The status a verified event brings, as a wait hears it: pushed, like a stream's, so it plans no request. */
export function heardOf(event: WebhookEvent): Heard {
  return {
    ...event.reading,
    // The dialect reads only JSON objects, so a read body is one.
    body: event.body as Record<string, unknown>,
    source: "webhook",
    sentAt: event.receivedAt,
    receivedAt: event.receivedAt,
    streaming: true,
    held: false,
    retryAfter: undefined,
  };
}

/** Why a sleep ended early: a hint asked for a request now. */
const WAKE = Symbol("webhook hint");

/**
 * One wait's link to a webhook source: its signal (the wait's own, which
 * also aborts once the wait ends on an event), its sleeps that a hint cuts
 * short, and the events of its job, each id taken once.
 */
export class WebhookLink {
  readonly #controller = new AbortController();
  readonly #source: WebhookSource;
  readonly #jobId: string;
  readonly #outer: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#end(this.#outer?.reason);
  readonly #onVerified: (event: WebhookEvent) => void;
  /**
   * Ids taken, apart for verified and unverified events, so that no hint can
   * shadow the real event; the latest `SEEN_IDS` only, so that a stream of
   * hints with fresh ids cannot grow a long wait (a duplicate comes soon
   * after its original).
   */
  readonly #seen = new Set<string>();
  #stop: (() => void) | undefined;
  #sleep: AbortController | undefined;
  #hinted = false;
  #ended = false;

  /** @throws {TypeError} When `source` has no `listen()` method. */
  constructor(
    source: WebhookSource,
    jobId: string,
    outer: AbortSignal | undefined,
    onVerified: (event: WebhookEvent) => void,
  ) {
    if (typeof source?.listen !== "function") {
      throw new TypeError(
        `Cannot wait as 'webhooks' must have the method listen(): current value is ${
          show(source)
        }`,
      );
    }
    this.#source = source;
    this.#jobId = jobId;
    this.#outer = outer;
    this.#onVerified = onVerified;
  }

  /** The signal the wait runs under: the caller's, and the wait's end. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the wait ended on an event. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Whether a hint asks for a request as soon as `minDelay` allows. */
  get hinted(): boolean {
    return this.#hinted;
  }

  /** Starts listening; the source first replays the events it kept. */
  start(): void {
    if (this.#outer?.aborted) return this.#onAbort();
    this.#outer?.addEventListener("abort", this.#onAbort, { once: true });
    this.#stop = this.#source.listen(this.#jobId, (event) => this.#hear(event));
  }

  /** A request has gone: it answers the hints heard so far. */
  sent(): void {
    this.#hinted = false;
  }

  /** Sleeps `ms`; resolves `true` if a hint cut it short. */
  async sleep(clock: Clock, ms: number): Promise<boolean> {
    const sleep = new AbortController();
    this.#sleep = sleep;
    try {
      this.signal.throwIfAborted();
      await clock.sleep(ms, sleep.signal);
      return false;
    } catch (error) {
      if (error === WAKE) return true;
      throw error;
    } finally {
      this.#sleep = undefined;
    }
  }

  /** The wait ended on a final event: aborts its request or sleep. */
  end(): void {
    this.#ended = true;
    this.#end(new Error("The wait ended on a webhook event"));
  }

  /** Stops listening, whatever ended the wait. */
  close(): void {
    this.#outer?.removeEventListener("abort", this.#onAbort);
    this.#stop?.();
    this.#stop = undefined;
  }

  #end(reason: unknown): void {
    this.close();
    this.#controller.abort(reason);
    this.#sleep?.abort(reason);
  }

  #hear(event: WebhookEvent): void {
    const key = `${event.verified ? "v" : "u"}:${event.id}`;
    if (this.signal.aborted || this.#seen.has(key)) return;
    this.#seen.add(key);
    if (this.#seen.size > SEEN_IDS) {
      this.#seen.delete(this.#seen.values().next().value!);
    }
    if (event.verified) return this.#onVerified(event);
    this.#hinted = true;
    this.#sleep?.abort(WAKE);
  }
}
