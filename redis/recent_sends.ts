// What a process sent: in the last window, by its own clock, for a Redis
// that comes back (which missed those sends, or forgot them); and what it has
// not told Redis yet, told in one script per turn of the event loop.

import { systemClock } from "../timing/clock.ts";

/** The requests of this process, in the last `window` ms and not yet told. */
export class RecentSends {
  readonly #window: number;
  #times: number[] = [];
  /** The first time still in the window. */
  #head = 0;
  /** Requests to tell Redis: their ticket ("" for a local place) and time. */
  #untold: [string, number][] = [];

  constructor(window: number) {
    this.#window = window;
  }

  /**
   * Notes a request sent now, to tell Redis unless `tell` is false.
   * Returns whether it is the first not yet told: time to plan telling.
   */
  add(ticket: string, tell: boolean): boolean {
    const now = systemClock.now();
    this.#times.push(now);
    while (this.#times[this.#head] <= now - this.#window) this.#head++;
    // Drop old times in bulk rather than shifting one at a time.
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
    if (tell) this.#untold.push([ticket, now]);
    return tell && this.#untold.length === 1;
  }

  /** How long ago each request of the last window went, in whole ms. */
  ages(): number[] {
    const now = systemClock.now();
    return this.#times.slice(this.#head).map((at) => Math.floor(now - at))
      .filter((age) => age < this.#window);
  }

  /**
   * Takes the requests not yet told: pairs of a Redis ticket and how long
   * ago (whole ms, so never earlier than it went), and the ages of those
   * sent on a local place.
   */
  untold(): { tickets: (string | number)[]; local: number[] } {
    const now = systemClock.now();
    const tickets: (string | number)[] = [];
    const local: number[] = [];
    for (const [ticket, at] of this.#untold) {
      const age = Math.floor(now - at);
      if (ticket === "") local.push(age);
      else tickets.push(ticket, age);
    }
    this.#untold = [];
    return { tickets, local };
  }
}
