// What a process knows of Redis's window, to take over from Redis at once
// when Redis goes (see local_share.ts): kept fresh by asking Redis at least
// every heartbeat while the budget is in use.

import { systemClock } from "../timing/clock.ts";
import {
  freeAtLoss,
  HEARTBEAT,
  LEASE,
  SLICES,
  UNSEEN,
  type WindowView,
} from "./budget_shape.ts";

/** The last view of Redis's window of one process, and when it used it. */
export class WindowWatch {
  #seen: WindowView = UNSEEN;
  #used = -Infinity;

  /** Notes that the budget is used now. */
  use(): void {
    this.#used = systemClock.now();
  }

  /**
   * Notes PUMP's reply (budget_scripts.ts) to an ask sent at `asked`.
   * Returns the tickets it granted.
   */
  saw(reply: readonly unknown[], asked: number): string[] {
    // While a process comes back its places are not all counted ("hold").
    this.#seen = reply[0] === "hold" ? UNSEEN : {
      count: Number(reply[3]),
      leaving: reply.slice(4, 4 + SLICES).map(Number),
      asked,
      answered: systemClock.now(),
    };
    return reply.slice(4 + SLICES).map(String);
  }

  /**
   * In how many ms to ask Redis again, given `next` (ms until the next place
   * frees, below 0 if unknown): at least every heartbeat while `waiting` or
   * the budget was used within `LEASE`, else not at all (undefined).
   */
  nextAsk(next: number, waiting: boolean): number | undefined {
    if (!waiting && systemClock.now() - this.#used >= LEASE) return undefined;
    return next < 0 ? HEARTBEAT : Math.min(next, HEARTBEAT);
  }

  /**
   * The places free at once for a process that loses Redis now
   * (freeAtLoss()); the view is spent.
   */
  freeAtLoss(capacity: number, members: number): number {
    const free = freeAtLoss(capacity, members, this.#seen, systemClock.now());
    this.#seen = UNSEEN;
    return free;
  }
}
