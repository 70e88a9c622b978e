// A request budget shared by every wait of one client: requests are spaced
// evenly, so no window of one second ever holds more than the budget.

import type { Clock } from "./clock.ts";

/** Hands out request slots at most `perSecond` times a second. */
export class RequestBudget {
  #interval: number;
  #clock: Clock;
  #nextSlot = -Infinity;

  constructor(perSecond: number, clock: Clock) {
    this.#interval = 1000 / perSecond;
    this.#clock = clock;
  }

  /**
   * Reserves the next free slot and sleeps until it. Returns at once with an
   * unlimited budget. A slot reserved by an aborted wait is not reused: that
   * only ever makes requests rarer, never more frequent.
   */
  async take(signal: AbortSignal): Promise<void> {
    if (this.#interval === 0) return;
    const now = this.#clock.now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + this.#interval;
    if (slot > now) await this.#clock.sleep(slot - now, signal);
  }
}
