/**
 * Per-client request counting for `--rate-limit`.
 *
 * @module
 */

/**
 * Counts requests per client in fixed one-second windows. Memory is bounded:
 * the counts are dropped at every new window, and at most `maxClients` are
 * kept within one (the oldest client is forgotten first).
 *
 * @example Allow two requests a second
 * ```ts
 * import { RateLimiter } from "./rate_limiter.ts";
 * import assert from "node:assert/strict";
 *
 * const limiter = new RateLimiter(2);
 * assert.equal(limiter.take("a", 0), 0);
 * assert.equal(limiter.take("a", 10), 0);
 * assert.equal(limiter.take("a", 20), 1); // wait 1 s
 * assert.equal(limiter.take("b", 30), 0);
 * assert.equal(limiter.take("a", 1_000), 0); // new window
 * ```
 */
export class RateLimiter {
  #limit: number;
  #maxClients: number;
  #window = Number.NEGATIVE_INFINITY;
  #counts = new Map<string, number>();

  /**
   * Creates a limiter.
   *
   * @param limit Requests allowed per client per second.
   * @param maxClients Clients tracked within one second at most.
   */
  constructor(limit: number, maxClients = 10_000) {
    this.#limit = limit;
    this.#maxClients = maxClients;
  }

  /** How many clients are tracked in the current window. */
  get size(): number {
    return this.#counts.size;
  }

  /**
   * Counts one request.
   *
   * @param client The client's identity, e.g. its address.
   * @param now The current time in milliseconds.
   * @returns 0 when the request is allowed, otherwise the whole seconds to
   * wait (for `Retry-After`).
   */
  take(client: string, now: number): number {
    const window = Math.floor(now / 1_000);
    if (window !== this.#window) {
      this.#window = window;
      this.#counts.clear();
    }
    const count = this.#counts.get(client) ?? 0;
    if (count >= this.#limit) {
      return Math.max(1, Math.ceil(((window + 1) * 1_000 - now) / 1_000));
    }
    if (count === 0 && this.#counts.size >= this.#maxClients) {
      const oldest = this.#counts.keys().next().value;
      if (oldest !== undefined) this.#counts.delete(oldest);
    }
    this.#counts.set(client, count + 1);
    return 0;
  }
}
