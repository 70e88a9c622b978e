// What a process sent in the last window, by its own clock: what it tells a
// Redis that comes back (which missed those sends, or forgot them).

/** The times of this process's requests in the last `window` ms. */
export class RecentSends {
  readonly #window: number;
  #times: number[] = [];
  /** The first time still in the window. */
  #head = 0;

  constructor(window: number) {
    this.#window = window;
  }

  /** Notes a request sent now. */
  add(): void {
    const now = Date.now();
    this.#times.push(now);
    while (this.#times[this.#head] <= now - this.#window) this.#head++;
    // Drop old times in bulk rather than shifting one at a time.
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
  }

  /** How long ago each request of the last window went, in ms. */
  ages(): number[] {
    const now = Date.now();
    return this.#times.slice(this.#head).map((at) => now - at)
      .filter((age) => age < this.#window);
  }
}
