// A request budget shared by every wait of one client: a sliding window that
// lets a request go only if fewer than `capacity` went in the last `window`
// milliseconds. No window of one second ever holds more than the budget,
// however late timers fire, and a burst up to the budget goes at once.
// Cut into slices (a MemoryBudgetShape), each slice of the window also hands
// out at most its share of places: a queue that never empties then goes as an
// even stream, not the whole budget at once every second, whose requests
// would reach the server over hundreds of ms and bunch with the next
// second's. A slice counts places from when they are handed out, not from
// their sends: the window already keeps every second to the budget, and a
// slice that waited for its sends would wait, every slice, for the time from
// a place to its request.
// Waiters queue in order; one timer wakes the queue when the oldest release
// leaves the window.
//
// Each of the `capacity` slots carries one request at a time: a slot handed
// out is held (stamped +Infinity) until its request has gone to `fetch`,
// when it is stamped with that time, or until its holder is done without
// sending, when it is free again. So a slot is never handed out again while
// its request may still go, and two requests of one slot are always a window
// apart, however long a request takes from its slot to `fetch`.

import type { Clock } from "../timing/clock.ts";
import type { RequestBudget } from "./request_budget.ts";

/**
 * How a {@linkcode MemoryBudget} counts: `window` ms (rather than 1001) for
 * its second, and the second cut into `slices`, each of which hands out at
 * most its share of the budget (at least one place), so that a full queue
 * goes as an even stream rather than the whole budget at once every second.
 */
export interface MemoryBudgetShape {
  /**
   * When (on the budget's clock) the places that `sent` and `held` leave
   * free are first free: for a budget that takes over from another whose
   * other sends it cannot see. The places of `sent` free as their sends
   * leave the window, before these.
   *
   * @default {-Infinity}
   */
  notBefore?: number;
  /**
   * The window's length in ms: a margin over the second absorbs clocks that
   * round, and requests that take different times to reach the server.
   *
   * @default {1001}
   */
  window?: number;
  /**
   * Parts of the window, each handing out at most that part of the budget
   * (counted from when a place is handed out).
   *
   * @default {1}
   */
  slices?: number;
  /**
   * When requests sent before this budget went (times of its clock): each
   * still in the window counts, as if this budget had let it go, and the
   * budget goes on at their pace. For a budget that takes over from another
   * whose sends it knows. When the window holds more of them than the
   * budget has places left (beside `held`), the earliest take the places,
   * which free first, and the others count for nothing more.
   *
   * @default {[]}
   */
  sent?: readonly number[];
  /**
   * How many of the places that `sent` and `held` leave free are free at
   * once rather than from `notBefore`.
   *
   * @default {0}
   */
  free?: number;
  /**
   * Places handed out before this budget whose requests may still go: this
   * budget hands them out first, as its tickets 0 to `held - 1`, to pass to
   * `sent()` and `done()` as its own.
   *
   * @default {0}
   */
  held?: number;
}

/**
 * One count of places: `capacity` slots, at most one request (or, counting
 * `grants`, one place handed out) each per `window`, as a ring in the order
 * the slots are handed out.
 */
class SlotRing {
  readonly window: number;
  readonly #grants: boolean;
  /**
   * When each slot's last request went (or place was handed out): +Infinity
   * while a slot is held, -Infinity for one that never carried a request or
   * was given back unused.
   */
  readonly #releases: Float64Array;
  #oldest = 0;

  constructor(
    capacity: number,
    window: number,
    now: number,
    start: number,
    free: number,
    sent: readonly number[],
    held: number,
    grants: boolean,
  ) {
    this.window = window;
    this.#grants = grants;
    // The sends still in the window take slots after those `held` takes
    // first, the earliest first: each slot still carries at most one request
    // per window. The ring goes round in the order its slots free, the
    // empty ones at `start` among the sends, so that a budget that takes
    // over goes on at the pace of the sends it was given.
    const keep = Math.max(0, capacity - held);
    const earliest = sent.filter((at) => at > now - window)
      .sort((a, b) => a - b).slice(0, keep);
    const empty = new Array<number>(keep - earliest.length).fill(start)
      .fill(-Infinity, 0, free);
    this.#releases = new Float64Array(capacity);
    this.#releases.set(
      [...earliest, ...empty].sort((a, b) => a - b),
      capacity - keep,
    );
  }

  /** When the next slot is free: +Infinity while it is held. */
  get due(): number {
    return this.#releases[this.#oldest] + this.window;
  }

  /** Hands out the next slot, `now`. */
  hold(now: number): void {
    this.#releases[this.#oldest] = this.#grants ? now : Infinity;
    this.#oldest = (this.#oldest + 1) % this.#releases.length;
  }

  /**
   * Stamps the slot of the `ticket`-th place (of `handedOut`) with `at` if
   * it still holds it. Returns whether that was the next slot to free.
   */
  settle(ticket: number, handedOut: number, at: number): boolean {
    const capacity = this.#releases.length;
    // A held slot is never handed out again, so a ticket that no longer
    // holds its slot (one already settled) has nothing to settle.
    if (handedOut - ticket > capacity) return false;
    const index = ticket % capacity;
    if (this.#releases[index] !== Infinity) return false;
    this.#releases[index] = at;
    return index === this.#oldest;
  }
}

interface Waiter {
  resolve: (ticket: number) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * The in-memory {@linkcode RequestBudget} of one process: hands out request
 * slots, at most `perSecond` in any second. Tickets are numbers (-1 when
 * unlimited).
 */
export class MemoryBudget implements RequestBudget {
  #clock: Clock;
  /** The second, and its slices when it has them; empty when unlimited. */
  #rings: SlotRing[] = [];
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
  constructor(perSecond: number, clock: Clock, shape: MemoryBudgetShape = {}) {
    this.#clock = clock;
    if (perSecond === Infinity) return;
    // A millisecond over the second by default, so that a clock that rounds
    // (Date.now()'s whole milliseconds, performance.now() without the time
    // origin) never sees one request too many in a second.
    const {
      notBefore = -Infinity,
      window = 1001,
      slices = 1,
      sent = [],
      held = 0,
      free = 0,
    } = shape;
    const capacity = Math.max(1, Math.floor(perSecond));
    const whole = perSecond < 1 ? window - 1000 + 1000 / perSecond : window;
    // Each empty slot but the `free` starts as if it had last carried a
    // request a window before `notBefore`. The slices, which only spread the places out, take
    // the sends given for places handed out then.
    const now = clock.now();
    this.#rings.push(
      new SlotRing(
        capacity,
        whole,
        now,
        notBefore - whole,
        free,
        sent,
        held,
        false,
      ),
    );
    if (slices > 1 && capacity > 1) {
      const share = Math.max(1, Math.floor(capacity / slices));
      const slice = whole / slices;
      this.#rings.push(
        new SlotRing(share, slice, now, -Infinity, 0, sent, held, true),
      );
    }
    // (A ring of fewer slots than `held` counts the last it has slots for.)
    for (let place = 0; place < held; place++) this.#record(now);
  }

  /** Whether every request may go at once. */
  get unlimited(): boolean {
    return this.#rings.length === 0;
  }

  /** How many waits are queued for a slot. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Resolves when this caller may send a request: at once while the budget
   * allows, otherwise in turn, with a ticket to pass to `sent()` once the
   * request has gone to `fetch`, and then to `done()` in any case, sent or
   * not. Rejects with `signal.reason` if the signal aborts first, giving the
   * place up.
   */
  acquire(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.unlimited) return Promise.resolve(-1);
    const now = this.#clock.now();
    if (this.waiting === 0 && this.#free(now)) {
      return Promise.resolve(this.#record(now));
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
    return this.#rings.every((ring) => now >= ring.due);
  }

  #record(now: number): number {
    for (const ring of this.#rings) ring.hold(now);
    return this.#handedOut++;
  }

  /** Stamps the ticket's slot with now, its request having gone to `fetch`. */
  sent(ticket: unknown): void {
    this.#settle(ticket, this.#clock.now());
  }

  /**
   * Ends the ticket, whether its request was sent or not: a slot still held
   * was never used, so it is free again at once.
   */
  done(ticket: unknown): void {
    this.#settle(ticket, -Infinity);
  }

  #settle(ticket: unknown, at: number): void {
    // The unlimited budget's tickets (-1) hold no slot.
    if (typeof ticket !== "number" || ticket < 0) return;
    let next = false;
    for (const ring of this.#rings) {
      if (ring.settle(ticket, this.#handedOut, at)) next = true;
    }
    // A held next slot wakes the queue itself when it is settled.
    if (next) {
      this.#releaseDue();
      this.#arm();
    }
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
    const due = Math.max(...this.#rings.map((ring) => ring.due));
    // A held next slot wakes the queue itself when it is settled.
    if (this.#timer !== undefined || this.waiting === 0 || due === Infinity) {
      return;
    }
    const timer = new AbortController();
    this.#timer = timer;
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
