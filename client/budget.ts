// A request budget shared by every wait of one client: a sliding window that
// lets a request go only if fewer than `capacity` went in the last `window`
// milliseconds. No window of one second ever holds more than the budget,
// however late timers fire, and a burst up to the budget goes at once.
// Waiters queue in order; one timer wakes the queue when the oldest release
// leaves the window. A slot is stamped again when its request is really
// sent, since under load that can be well after the slot was handed out.

import type { Clock } from "../timing/clock.ts";

interface Waiter {
  resolve: (ticket: number) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Hands out request slots, at most `perSecond` in any second. */
export class RequestBudget {
  #clock: Clock;
  // A millisecond over the second, so that the microseconds between stamping
  // a slot and the request leaving can never put one request too many in a
  // second as the sender's own clock measures it.
  #window = 1001;
  /** Release times of the last `capacity` requests, as a ring. */
  #releases: Float64Array;
  #oldest = 0;
  /** How many slots have been handed out, which numbers the tickets. */
  #handedOut = 0;
  #queue: Waiter[] = [];
  #head = 0;
  #timer: AbortController | undefined;

  /**
   * `perSecond` is Infinity (no budget), at least 1 (whole requests per
   * second; a fraction is rounded down), or below 1 (one request every
   * `1 / perSecond` seconds).
   */
  constructor(perSecond: number, clock: Clock) {
    this.#clock = clock;
    if (perSecond === Infinity) {
      this.#releases = new Float64Array(0);
      return;
    }
    if (perSecond < 1) this.#window = 1000 / perSecond + 1;
    this.#releases = new Float64Array(Math.max(1, Math.floor(perSecond)))
      .fill(-Infinity);
  }

  /** Whether every request may go at once. */
  get unlimited(): boolean {
    return this.#releases.length === 0;
  }

  /** How many waits are queued for a slot. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Resolves when this caller may send a request: at once while the budget
   * allows, otherwise in turn, with a ticket to pass to `sending()` right
   * before the request goes. Rejects with `signal.reason` if the signal
   * aborts first, giving the place up.
   */
  take(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.unlimited) return Promise.resolve(-1);
    if (this.waiting === 0 && this.#free(this.#clock.now())) {
      return Promise.resolve(this.#record(this.#clock.now()));
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

  #free(now: number): boolean {
    return now - this.#releases[this.#oldest] >= this.#window;
  }

  #record(now: number): number {
    this.#releases[this.#oldest] = now;
    this.#oldest = (this.#oldest + 1) % this.#releases.length;
    return this.#handedOut++;
  }

  /** Moves a slot to the time its request is really sent. */
  sending(ticket: number): void {
    const capacity = this.#releases.length;
    // A ticket so old that its slot went to another request counts no more.
    if (ticket < 0 || this.#handedOut - ticket > capacity) return;
    const index = ticket % capacity;
    this.#releases[index] = Math.max(this.#releases[index], this.#clock.now());
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
    const due = this.#releases[this.#oldest] + this.#window;
    this.#clock.sleep(Math.max(0, due - this.#clock.now()), timer.signal)
      .then(() => {
        this.#timer = undefined;
        this.#releaseDue();
        this.#arm();
      }, () => {});
  }

  #releaseDue(): void {
    const now = this.#clock.now();
    while (this.waiting > 0 && this.#free(now)) {
      const waiter = this.#queue[this.#head++];
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(this.#record(now));
    }
    // Drop released entries in bulk rather than shifting one at a time.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
