// How late an event loop runs its timers: a timer asked for every
// `every` ms, and how much later than asked each fires. A loop busy with
// other work (or a process starved of CPU) stamps what it handles late by
// as much, which is what this measures in the multi-process run.

/** Lateness of a repeating timer, in ms, until `stop()`. */
export class LoopLag {
  readonly #every: number;
  readonly #late: number[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(every = 10) {
    this.#every = every;
    this.#tick(performance.now());
  }

  #tick(asked: number): void {
    this.#timer = setTimeout(() => {
      const now = performance.now();
      this.#late.push(Math.max(0, now - asked - this.#every));
      this.#tick(now);
    }, this.#every);
  }

  /** Stops measuring and returns each lateness. */
  stop(): number[] {
    clearTimeout(this.#timer);
    return this.#late;
  }
}
