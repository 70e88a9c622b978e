// The share of the budget a process keeps to without Redis: an in-memory
// budget counted like Redis's, that knows every send of this process still
// in the window (Redis's places too), and hands its places to the waiters.

import { MemoryBudget } from "../client/budget.ts";
import { systemClock } from "../timing/clock.ts";
import { SHARED_SHAPE } from "./budget_shape.ts";
import type { Ticket, Waiter } from "./ticket.ts";

/** A local share, from its start until `stop()`. */
export class LocalShare {
  readonly budget: MemoryBudget;
  readonly #stop = new AbortController();
  #serving = false;

  /**
   * `perSecond` from `wait` ms on; `ages`: how long ago (ms) each send of
   * this process in the last window went, and `unsent`: the places Redis
   * granted it whose requests may still go, to count as this share's own.
   */
  constructor(
    perSecond: number,
    wait: number,
    ages: readonly number[],
    unsent: readonly Ticket[],
  ) {
    const now = systemClock.now();
    this.budget = new MemoryBudget(perSecond, systemClock, {
      notBefore: now + wait,
      sent: ages.map((age) => now - age),
      held: unsent.length,
      ...SHARED_SHAPE,
    });
    unsent.forEach((ticket, place) => {
      ticket.local = { budget: this.budget, place };
    });
  }

  /** Ends the share: its waits give their places up. */
  stop(): void {
    this.#stop.abort();
  }

  /** Hands the share's places to the `waiting`, first come first. */
  async serve(
    waiting: ReadonlySet<Waiter>,
    grant: (waiter: Waiter, ticket: Ticket) => void,
  ): Promise<void> {
    if (this.#serving) return;
    this.#serving = true;
    const { signal } = this.#stop;
    try {
      while (!signal.aborted && waiting.size > 0) {
        const place = await this.budget.acquire(signal);
        const [waiter] = waiting;
        if (waiter === undefined || signal.aborted) {
          this.budget.done(place);
          return;
        }
        grant(waiter, {
          id: "",
          local: { budget: this.budget, place },
          sent: false,
        });
      }
    } catch {
      // Stopped: Redis is back.
    } finally {
      this.#serving = false;
    }
  }
}
