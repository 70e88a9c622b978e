// A request budget shared by every wait of one client. Waiters queue in
// order and one timer releases them one interval apart, measured from when
// each was really released: a stalled event loop delays requests but never
// lets them bunch up, so no window of one second holds more than the budget.

import type { Clock } from "./clock.ts";

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Hands out request slots at most `perSecond` times a second. */
export class RequestBudget {
  #interval: number;
  #clock: Clock;
  #lastRelease = -Infinity;
  #queue: Waiter[] = [];
  #head = 0;
  #timer: AbortController | undefined;

  constructor(perSecond: number, clock: Clock) {
    this.#interval = 1000 / perSecond;
    this.#clock = clock;
  }

  /** Whether every request may go at once. */
  get unlimited(): boolean {
    return this.#interval === 0;
  }

  /** How many waits are queued for a slot. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Resolves when this caller may send a request: at once while the budget
   * allows, otherwise in turn. Rejects with `signal.reason` if the signal
   * aborts first, giving the place up.
   */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#interval === 0) return Promise.resolve();
    const now = this.#clock.now();
    if (this.waiting === 0 && now - this.#lastRelease >= this.#interval) {
      this.#lastRelease = now;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => this.#leave(waiter),
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      this.#arm();
    });
  }

  #leave(waiter: Waiter): void {
    const index = this.#queue.indexOf(waiter, this.#head);
    if (index !== -1) this.#queue.splice(index, 1);
    waiter.reject(waiter.signal?.reason);
    if (this.waiting === 0) {
      this.#timer?.abort();
      this.#timer = undefined;
    }
  }

  #arm(): void {
    if (this.#timer !== undefined || this.waiting === 0) return;
    const timer = new AbortController();
    this.#timer = timer;
    const wait = this.#lastRelease + this.#interval - this.#clock.now();
    this.#clock.sleep(Math.max(0, wait), timer.signal).then(() => {
      this.#timer = undefined;
      this.#release();
      this.#arm();
    }, () => {});
  }

  #release(): void {
    const waiter = this.#queue[this.#head++];
    // Drop released entries in bulk rather than shifting one at a time.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (waiter === undefined) return;
    this.#lastRelease = this.#clock.now();
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    waiter.resolve();
  }
}
