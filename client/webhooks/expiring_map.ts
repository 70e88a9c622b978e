/**
 * A map that forgets: at most a set number of entries, each for at most a
 * set time. The webhook receiver keeps events and remembers webhook ids in
 * it, so that no sender, honest or not, can make it grow without bound.
 *
 * @module
 */

import type { Clock } from "../../timing/clock.ts";

/**
 * A map of at most `maxSize` entries, each forgotten `ttl` ms after it was
 * last set; when full, setting a new key forgets the oldest entry.
 *
 * @example
 * ```ts
 * import { ExpiringMap } from "./expiring_map.ts";
 * import { FakeClock } from "../../testing/fake_clock.ts";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * const map = new ExpiringMap<string, number>(2, 1_000, clock);
 * map.set("a", 1).set("b", 2).set("c", 3);
 * assert.equal(map.get("a"), undefined); // the oldest, dropped
 * await clock.tick(1_000);
 * assert.equal(map.size, 0); // all expired
 * ```
 */
export class ExpiringMap<K, V> {
  // Insertion order is the order of last `set`, so the oldest and the first
  // to expire are both at the front.
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();
  readonly #maxSize: number;
  readonly #ttl: number;
  readonly #clock: Clock;

  /**
   * @param maxSize The most entries kept.
   * @param ttl How long an entry is kept after it was set, in ms.
   * @param clock The clock that ages entries.
   */
  constructor(maxSize: number, ttl: number, clock: Clock) {
    this.#maxSize = maxSize;
    this.#ttl = ttl;
    this.#clock = clock;
  }

  /**
   * The number of entries not yet expired.
   *
   * @example
   * ```ts
   * import { ExpiringMap } from "./expiring_map.ts";
   * import { systemClock } from "../../timing/clock.ts";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ExpiringMap(1, 1, systemClock).set("a", 1).size, 1);
   * ```
   */
  get size(): number {
    this.#prune();
    return this.#entries.size;
  }

  /**
   * The value of `key`, unless it expired or was dropped.
   *
   * @example
   * ```ts
   * import { ExpiringMap } from "./expiring_map.ts";
   * import { systemClock } from "../../timing/clock.ts";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ExpiringMap(1, 60_000, systemClock).set("a", 1).get("a"), 1);
   * ```
   *
   * @param key The key.
   * @returns Its value, or `undefined`.
   */
  get(key: K): V | undefined {
    this.#prune();
    return this.#entries.get(key)?.value;
  }

  /**
   * Sets `key` (as the newest entry, for the full `ttl`), dropping the oldest
   * entries beyond `maxSize`.
   *
   * @example
   * ```ts
   * import { ExpiringMap } from "./expiring_map.ts";
   * import { systemClock } from "../../timing/clock.ts";
   * import assert from "node:assert/strict";
   *
   * const map = new ExpiringMap<string, number>(2, 60_000, systemClock);
   * map.set("a", 1).set("b", 2).set("a", 3).set("c", 4);
   * assert.equal(map.get("b"), undefined); // "a" was set again, so "b" was the oldest
   * assert.equal(map.get("a"), 3);
   * ```
   *
   * @param key The key.
   * @param value The value.
   * @returns This map.
   */
  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#clock.now() + this.#ttl });
    this.#prune();
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxSize) break;
      this.#entries.delete(oldest);
    }
    return this;
  }

  #prune(): void {
    const now = this.#clock.now();
    for (const [key, { expiresAt }] of this.#entries) {
      if (expiresAt > now) break;
      this.#entries.delete(key);
    }
  }
}
