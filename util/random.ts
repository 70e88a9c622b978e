/**
 * A small seeded pseudo-random number generator, so that `--seed` makes every
 * random draw of the simulator reproducible.
 *
 * @module
 */

/**
 * Creates a seeded pseudo-random source (mulberry32): the same seed always
 * yields the same sequence of numbers in `[0, 1)`.
 *
 * It is fast and statistically good enough for a simulator; it is not a
 * cryptographic generator.
 *
 * @example Reproduce a sequence
 * ```ts
 * import { seededRandom } from "./random.ts";
 * import assert from "node:assert/strict";
 *
 * const a = seededRandom(42);
 * const b = seededRandom(42);
 * assert.equal(a(), b());
 * const value = a();
 * assert.ok(value >= 0 && value < 1);
 * ```
 *
 * @param seed Any integer; only its low 32 bits are used.
 * @returns A function returning the next number in `[0, 1)` on each call.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
