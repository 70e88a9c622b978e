// A virtual clock for deterministic tests: sleeps are timers on a virtual
// timeline, and time only moves when the test says so, or, with
// `autoAdvance`, whenever every pending promise has settled and only timers
// are left (like an event loop with infinitely fast CPUs).

import type { Clock } from "../timing/clock.ts";
import type { SimulatorClock } from "../server.ts";

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * Implements both the client's and the simulator's clock, so the two can
 * share one virtual timeline.
 */
export class FakeClock implements Clock, SimulatorClock {
  #now: number;
  #timers: Timer[] = [];
  #seq = 0;
  #autoAdvance: boolean;
  #pump: ReturnType<typeof setTimeout> | undefined;
  /** Every sleep requested, in order, in milliseconds. */
  readonly sleeps: number[] = [];

  constructor(options: { start?: number; autoAdvance?: boolean } = {}) {
    this.#now = options.start ?? 1_000_000;
    this.#autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.#now;
  }

  /** How many timers are armed. */
  get timers(): number {
    return this.#timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#remove(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#insert(timer);
    });
  }

  #insert(timer: Timer): void {
    this.#timers.push(timer);
    this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.#schedulePump();
  }

  setTimeout(callback: () => void, delay: number): unknown {
    const timer: Timer = {
      at: this.#now + Math.max(0, delay),
      seq: this.#seq++,
      resolve: callback,
    };
    this.#insert(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.#remove(handle as Timer);
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order,
   * then lets the promises they settled run.
   */
  async tick(ms = 0): Promise<void> {
    const target = this.#now + ms;
    while (this.#timers.length > 0 && this.#timers[0].at <= target) {
      this.#fireNext();
      // Microtask turns only: a macrotask per timer would add up, as nested
      // timers are clamped to 4 ms.
      for (let turn = 0; turn < 20; turn++) await Promise.resolve();
    }
    this.#now = target;
    await settle();
  }

  #fireNext(): void {
    const timer = this.#timers.shift()!;
    this.#now = Math.max(this.#now, timer.at);
    timer.resolve();
  }

  #remove(timer: Timer): void {
    const index = this.#timers.indexOf(timer);
    if (index !== -1) this.#timers.splice(index, 1);
    if (this.#timers.length === 0 && this.#pump !== undefined) {
      clearTimeout(this.#pump);
      this.#pump = undefined;
    }
  }

  #schedulePump(): void {
    if (!this.#autoAdvance || this.#pump !== undefined) return;
    // A macrotask runs only once all pending microtasks have: by then the
    // code under test is blocked on timers alone.
    this.#pump = setTimeout(() => {
      this.#pump = undefined;
      if (this.#timers.length === 0) return;
      this.#fireNext();
      this.#schedulePump();
    }, 0);
  }
}

/** Lets every pending promise callback run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
