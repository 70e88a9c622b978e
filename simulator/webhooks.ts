/**
 * The simulator's callbacks: when a job created with a `callback_url` ends,
 * its final status is POSTed there, signed the way the dialect's API signs,
 * retried with backoff, and dropped, duplicated or delayed as the fault
 * options say.
 *
 * @module
 */

import type { Clock } from "../timing/clock.ts";
import type { WebhookConfig } from "./webhook_options.ts";

/**
 * How a callback is retried: up to `attempts` POSTs, the first retry
 * `firstDelay` milliseconds after a failure (a network error, a timeout or
 * any status but 2xx, redirects included), each later one `factor` times
 * longer (1, 2, 4, 8 s); each POST is given `timeout` milliseconds.
 *
 * @example
 * ```ts
 * import { WEBHOOK_RETRY } from "./webhooks.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(WEBHOOK_RETRY.attempts, 5);
 * ```
 */
export const WEBHOOK_RETRY: {
  readonly attempts: number;
  readonly firstDelay: number;
  readonly factor: number;
  readonly timeout: number;
} = Object.freeze({
  attempts: 5,
  firstDelay: 1_000,
  factor: 2,
  timeout: 10_000,
});

/**
 * One event to deliver: where, its `webhook-id`, and its JSON body.
 *
 * @example
 * ```ts
 * import type { WebhookEventToSend } from "./webhooks.ts";
 *
 * const event: WebhookEventToSend = {
 *   url: "http://127.0.0.1:8080/hooks",
 *   id: "msg_a1",
 *   body: '{"result":"completed"}',
 * };
 * ```
 */
export interface WebhookEventToSend {
  /** The `callback_url`. */
  readonly url: string;
  /** The `webhook-id`; a retry and a duplicate keep it. */
  readonly id: string;
  /** The JSON body. */
  readonly body: string;
}

/**
 * Delivers the simulator's callbacks, on its clock and random source, with
 * the `fetch` of its options.
 *
 * @example A callback to an in-process receiver
 * ```ts
 * import { WebhookSender } from "./webhooks.ts";
 * import { resolveWebhookOptions } from "./webhook_options.ts";
 * import { FakeClock } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const received: string[] = [];
 * const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
 *   received.push(await new Request(input, init).text());
 *   return new Response(null, { status: 204 });
 * };
 * const sender = new WebhookSender(resolveWebhookOptions({ fetch }), new FakeClock(), Math.random);
 * sender.send({ url: "http://127.0.0.1:9/hooks", id: "msg_1", body: "{}" });
 * await sender.idle();
 * assert.deepEqual(received, ["{}"]);
 * await sender.close();
 * ```
 */
export class WebhookSender {
  #config: WebhookConfig;
  #clock: Clock;
  #random: () => number;
  #closing = new AbortController();
  #pending = new Set<Promise<void>>();

  /**
   * Creates a sender with nothing to deliver.
   *
   * @param config The callback options.
   * @param clock Where delays, backoff and timeouts are slept.
   * @param random The random source of the faults.
   */
  constructor(config: WebhookConfig, clock: Clock, random: () => number) {
    this.#config = config;
    this.#clock = clock;
    this.#random = random;
  }

  /** How many deliveries are in progress (waiting, sending or backing off). */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Starts delivering an event, unless `webhookDropRate` drops it; with
   * `webhookDuplicateRate` it is delivered twice, each copy on its own.
   * Each copy first waits a delay drawn from `minWebhookDelay` to
   * `maxWebhookDelay`. Does nothing once closed.
   *
   * @param event The event.
   */
  send(event: WebhookEventToSend): void {
    if (this.#closing.signal.aborted) return;
    const { dropRate, duplicateRate, minDelay, maxDelay } = this.#config;
    if (dropRate > 0 && this.#random() < dropRate) return;
    const copies = duplicateRate > 0 && this.#random() < duplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const delay = minDelay +
        Math.round(this.#random() * (maxDelay - minDelay));
      const delivery = this.#deliver(event, delay);
      this.#pending.add(delivery);
      void delivery.finally(() => this.#pending.delete(delivery));
    }
  }

  /**
   * Waits until no delivery is in progress.
   *
   * @returns A promise that resolves once every delivery has ended.
   */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  /**
   * Cancels every delivery (waiting ones are dropped, POSTs in progress
   * aborted) and waits for them to end; later events are not sent.
   *
   * @returns A promise that resolves once nothing is left.
   */
  async close(): Promise<void> {
    this.#closing.abort(new Error("The simulator has closed"));
    await this.idle();
  }

  async #deliver(event: WebhookEventToSend, delay: number): Promise<void> {
    const signal = this.#closing.signal;
    const { attempts, firstDelay, factor } = WEBHOOK_RETRY;
    try {
      if (delay > 0) await this.#clock.sleep(delay, signal);
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) {
          await this.#clock.sleep(firstDelay * factor ** (attempt - 2), signal);
        }
        if (await this.#post(event)) return;
      }
    } catch {
      // Closed: the delivery is cancelled, which is all there is to do.
    }
  }

  /** One POST: `true` when answered 2xx; rejects once closed. */
  async #post(event: WebhookEventToSend): Promise<boolean> {
    const closing = this.#closing.signal;
    closing.throwIfAborted();
    const { secret, scheme, fetch, hmac } = this.#config;
    const timestamp = Math.floor(this.#clock.now() / 1_000);
    const message = { id: event.id, timestamp, body: event.body };
    const signed = secret === undefined
      ? scheme.unsigned(message)
      : await scheme.sign(secret, message, { hmac });
    const abort = new AbortController();
    const onClose = (): void => abort.abort(closing.reason);
    closing.addEventListener("abort", onClose, { once: true });
    const timer = new AbortController();
    this.#clock.sleep(WEBHOOK_RETRY.timeout, timer.signal).then(
      () => abort.abort(new Error("The callback timed out")),
      () => {},
    );
    try {
      const response = await fetch(event.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...signed },
        body: event.body,
        // A redirect could lead past the loopback rule: it counts as a failure.
        redirect: "manual",
        signal: abort.signal,
      });
      await response.body?.cancel().catch(() => {});
      return response.status >= 200 && response.status < 300;
    } catch {
      closing.throwIfAborted();
      return false;
    } finally {
      timer.abort();
      closing.removeEventListener("abort", onClose);
    }
  }
}
