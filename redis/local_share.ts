// The share of the budget a process keeps to without Redis: an in-memory
// budget counted like Redis's, that knows every send of this process still
// in the window (Redis's places too), and hands its places to the waiters.
//
// Why a process that loses Redis may go on at once. Redis counts each place
// from when it hands it out until a window after its request went (or until
// it is given back), never more than the budget at once: so the places can
// be dealt to the budget's worth of slots, one place at a time per slot, and
// a slot carries at most one request per window (its next place comes after
// that window). At the loss each process's share takes as its first slots
// its own places that Redis still counts (its sends of the last window, its
// places not sent yet): slots no other process has, and that Redis, gone,
// deals no more. Each still carries one request per window, so the shares go
// on at their own pace, however uneven the processes were and however late a
// granted place goes. A process that had more than its share goes on on its
// earliest places, which free first; its later ones count no more. Of the
// share's other slots (it has `perSecond`, the budget divided by the
// processes) some are free at once: its part of the slots free at the loss,
// which no process has either (freeAtLoss()). A slot is free once its place
// left Redis's count: it held no place when the process last asked Redis,
// or its request went a window before (Redis's answer says how many sends
// leave in each of the next slices; a held place counts until told, as its
// request may go at any moment), unless Redis dealt it again since: at most
// a slice's share per slice begun, the slices counting grants. While it uses
// the budget a process asks Redis at least every half slice (the heartbeat),
// so that is one slice's share; a process whose view is old (idle, or Redis
// slow) counts a share per slice, and none once the window may be full. An
// answer given while processes come back is no view: Redis then counts
// places it did not deal (their sends and places out). Processes that take
// over at different moments each take their part of the slots free at their
// own moment: as free slots only grow once Redis is gone, the first k of the
// `members` take at most k / members of those free at the k-th's moment, so
// there are slots for all. The rest free a window after the loss: a second
// that holds one of their requests starts after every process lost Redis,
// when each share holds at most its slots, and the shares together the
// budget.
//
// This holds when the processes lose Redis together (a killed or restarted
// Redis closes every connection at once; their noticing may differ by the
// window's 20 ms of margin), or when one that notices later has no more of
// Redis's places left to send meanwhile than its share. A process that
// alone loses Redis while Redis still deals to the others is a partition:
// its slots are dealt again, and it adds its share until it comes back.

import { MemoryBudget } from "../client/budget.ts";
import { type Clock, systemClock } from "../timing/clock.ts";
import { SHARED_SHAPE, WINDOW } from "./budget_shape.ts";
import type { Ticket, Waiter } from "./ticket.ts";

/** A local share, from its start until `stop()`. */
export class LocalShare {
  readonly budget: MemoryBudget;
  /** Its places handed out whose requests have not gone nor been given up. */
  readonly out: Set<Ticket> = new Set();
  readonly #stop = new AbortController();
  #serving = false;

  /**
   * `perSecond`, going on from `ages`: how long ago (ms) each send of this
   * process in the last window went, and `unsent`: the places Redis granted
   * it whose requests may still go, to count as this share's own. Of its
   * other places `free` are free at once, the others a window from now.
   */
  constructor(
    perSecond: number,
    free: number,
    ages: readonly number[],
    unsent: readonly Ticket[],
    clock: Clock = systemClock,
  ) {
    const now = clock.now();
    this.budget = new MemoryBudget(perSecond, clock, {
      notBefore: now + WINDOW,
      free,
      sent: ages.map((age) => now - age),
      held: unsent.length,
      ...SHARED_SHAPE,
    });
    unsent.forEach((ticket, place) => {
      ticket.local = { budget: this.budget, place };
    });
  }

  /**
   * Ends the share: its waits give their places up. Returns its places
   * still out.
   */
  stop(): Ticket[] {
    this.#stop.abort();
    return [...this.out];
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
        const ticket = {
          id: "",
          local: { budget: this.budget, place },
          sent: false,
        };
        this.out.add(ticket);
        grant(waiter, ticket);
      }
    } catch {
      // Stopped: Redis is back.
    } finally {
      this.#serving = false;
    }
  }
}
