// One request budget for every process that names the same key. Waiters
// queue in Redis in order of arrival, whatever their process; a script
// hands places out (budget_scripts.ts) and tells each owner through the
// wake channel, and each process asks again when the next place frees.
//
// Without Redis (unreachable, lost, slower than `commandTimeout`) a process
// paces itself on a local share of the budget and says so. Coming back, it
// first tells Redis what it sent in the last window, and every process keeps
// pacing itself (while recording its sends) for a window more, the "quiet":
// so the sends made without Redis, and those a restarted Redis forgot, are
// counted before Redis hands out a place again.

import { systemClock } from "../timing/clock.ts";
import { type LuaScript, RedisConnection } from "./connection.ts";
import { PUMP, RELEASE, RESTORE, SENT } from "./budget_scripts.ts";
import type { RedisBudget } from "./budget.ts";
import type {
  RedisBudgetEvent,
  RedisBudgetSettings,
} from "./budget_options.ts";
import { RecentSends } from "./recent_sends.ts";
import { LocalShare } from "./local_share.ts";
import { isTicket, type Ticket, type Waiter } from "./ticket.ts";
import { HOLD, LEASE, localShare, SLICES, WINDOW } from "./budget_shape.ts";
import { WindowWatch } from "./window_view.ts";

const CLOSED = "Cannot acquire a place as the Redis budget is closed";

/** The {@linkcode RedisBudget} that `createRedisBudget()` returns. */
export class SharedBudget implements RedisBudget {
  state: RedisBudget["state"] = "connecting";
  readonly #settings: RedisBudgetSettings;
  readonly #connection: RedisConnection;
  readonly #process = crypto.randomUUID().slice(0, 13);
  #tickets = 0;
  readonly #waiting = new Set<Waiter>();
  readonly #queued = new Map<string, Waiter>();
  /** Tickets Redis may still hold for this process, to give back. */
  #stale: string[] = [];
  readonly #sends = new RecentSends(WINDOW);
  /** Places Redis granted this process whose requests may still go. */
  readonly #unsent = new Set<Ticket>();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #members = 0;
  readonly #watch = new WindowWatch();
  #local: LocalShare | undefined;
  /** Whether Redis has what this process sent while it paced itself. */
  #restored = false;
  /** Places of the local share that stopped still out, to tell Redis of. */
  #handedOver: Ticket[] | undefined;
  /** Settles once Redis has the local sends told so far. */
  #told: Promise<void> = Promise.resolve();
  #pumping = false;
  #pumpAgain = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(settings: RedisBudgetSettings) {
    this.#settings = settings;
    this.#connection = new RedisConnection({
      url: settings.url,
      commandTimeout: settings.commandTimeout,
      maxReconnectDelay: settings.maxReconnectDelay,
      onReady: () => this.#ready(),
      onLost: (cause) => this.#pace(cause),
    });
    this.#connection.subscribe(`${settings.key}:wake`, (message) => {
      if (
        this.state === "redis" &&
        (message === this.#process || this.#queued.size > 0)
      ) this.#pump();
    });
    this.#timer = setTimeout(() => {
      if (this.state !== "connecting") return;
      this.#pace(
        new Error(
          `Redis did not answer within ${settings.commandTimeout} ms of the start`,
        ),
      );
    }, settings.commandTimeout);
  }

  acquire(signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.state === "closed") return Promise.reject(new Error(CLOSED));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        id: "",
        resolve,
        reject,
        signal,
        onAbort: () => this.#leave(waiter),
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiting.add(waiter);
      this.#watch.use();
      if (this.#local !== undefined) this.#serveLocally();
      else if (this.state === "redis") this.#pump();
    });
  }

  sent(ticket: unknown): void {
    if (!isTicket(ticket) || ticket.sent) return;
    ticket.sent = true;
    this.#unsent.delete(ticket);
    this.#local?.out.delete(ticket);
    ticket.local?.budget.sent(ticket.local.place);
    // A place of the local share that goes before Redis came back is told
    // with all the last window's sends (#recover); one that goes after, and
    // one of Redis's, at once. Each goes with how long ago it went: a stamp
    // never earlier than the request, nor later than it by the time spent
    // behind other scripts.
    if (this.state === "closed") return;
    const tell = ticket.id !== "" || this.#restored ||
      ticket.local?.budget !== this.#local?.budget;
    if (this.#sends.add(ticket.id, tell)) {
      this.#flushTimer = setTimeout(() => this.#flushSent(), 0);
    }
  }

  /**
   * Tells Redis the sends not told yet. Those of the local share are awaited
   * (#told) before Redis hands out a place: told late, they would not count.
   */
  #flushSent(): void {
    clearTimeout(this.#flushTimer);
    const { tickets, local } = this.#sends.untold();
    if (tickets.length > 0) {
      this.#run(SENT, [this.#settings.key, WINDOW, ...tickets]).catch(() => {});
    }
    if (local.length === 0) return;
    const telling = this.#restore(local, 0).then(() => undefined, (error) => {
      // Redis may not count those sends: start over as after a loss (both
      // count every send of the last window, told or not).
      if (this.#local === undefined) this.#pace(error);
      else this.#restored = false;
    });
    this.#told = Promise.all([this.#told, telling]).then(() => {});
  }

  done(ticket: unknown): void {
    if (!isTicket(ticket)) return;
    this.#unsent.delete(ticket);
    this.#local?.out.delete(ticket);
    ticket.local?.budget.done(ticket.local.place);
    // (A place of Redis's that a local share took over is Redis's too.)
    if (ticket.id !== "" && !ticket.sent) {
      ticket.sent = true;
      this.#release([ticket.id]);
    }
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.#timer);
    clearTimeout(this.#flushTimer);
    this.#flushSent();
    this.#local?.stop();
    this.#local = undefined;
    for (const waiter of this.#waiting) {
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.reject(new Error(CLOSED));
    }
    this.#waiting.clear();
    const queued = [...this.#queued.keys(), ...this.#stale];
    this.#queued.clear();
    if (queued.length > 0 && this.#connection.ready) {
      await this.#run(RELEASE, this.#args(...queued)).catch(() => {});
    }
    await this.#connection.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #run(script: LuaScript, args: (string | number)[]): Promise<unknown> {
    return this.#connection.run(script, [], args);
  }

  #leave(waiter: Waiter): void {
    this.#waiting.delete(waiter);
    if (this.#queued.delete(waiter.id)) this.#release([waiter.id]);
    waiter.reject(waiter.signal?.reason);
  }

  #grant(waiter: Waiter, ticket: Ticket): void {
    this.#waiting.delete(waiter);
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    waiter.resolve(ticket);
  }

  #newId(): string {
    return `${this.#process}.${++this.#tickets}`;
  }

  /** What PUMP and RELEASE take, then `rest`. */
  #args(...rest: string[]): (string | number)[] {
    const { key, capacity } = this.#settings;
    return [key, this.#process, capacity, WINDOW, HOLD, LEASE, SLICES, ...rest];
  }

  /** Gives the tickets up; those Redis may not have are kept to try again. */
  #release(tickets: string[]): Promise<void> {
    return this.#run(RELEASE, this.#args(...tickets)).then(
      () => {},
      () => void this.#stale.push(...tickets),
    );
  }

  /** Gives back the tickets Redis may still hold for this process. */
  #releaseStale(): Promise<void> {
    const stale = this.#stale;
    this.#stale = [];
    return stale.length > 0 ? this.#release(stale) : Promise.resolve();
  }

  /** Asks Redis for places now, or after `delay` ms. */
  #wake(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#pump(), delay);
  }

  #pump(): void {
    if (this.state === "closed") return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    this.#pumpOnce().finally(() => {
      this.#pumping = false;
      if (this.#pumpAgain) {
        this.#pumpAgain = false;
        this.#pump();
      }
    });
  }

  async #pumpOnce(): Promise<void> {
    if (this.state === "connecting") return;
    this.#flushSent();
    await this.#told;
    if (this.#local !== undefined && !this.#restored) return this.#recover();
    const fresh: string[] = [];
    if (this.#local === undefined) {
      for (const waiter of this.#waiting) {
        if (waiter.id !== "") continue;
        waiter.id = this.#newId();
        this.#queued.set(waiter.id, waiter);
        fresh.push(waiter.id);
      }
    }
    // Back from pacing itself: the places its share handed out that may
    // still go are Redis's to count, held, before any place is handed out.
    const back = this.#handedOver;
    this.#handedOver = undefined;
    const held = back?.map((ticket) => {
      this.#unsent.add(ticket);
      return ticket.id = this.#newId();
    }) ?? [];
    const stands = back ? "back" : this.#local ? "local" : "redis";
    let reply: unknown[];
    const asked = systemClock.now();
    try {
      reply = await this.#run(
        PUMP,
        this.#args(stands, ...fresh, ...(back ? ["held", ...held] : [])),
      ) as unknown[];
    } catch (error) {
      // Whether Redis queued the fresh tickets is unknown: #pace gives
      // every queued one back once Redis is back.
      return this.#pace(error);
    }
    if (this.state === "closed") return;
    this.#members = Number(reply[2]);
    if (reply[0] === "quiet") {
      const quiet = Number(reply[1]);
      if (this.#local !== undefined) return this.#wake(quiet);
      const why = `Another process came back to Redis: pacing for ${quiet} ms`;
      return this.#pace(new Error(why), quiet);
    }
    for (const id of this.#watch.saw(reply, asked)) {
      const waiter = this.#queued.get(id);
      if (waiter === undefined) {
        this.#release([id]);
        continue;
      }
      this.#queued.delete(id);
      const ticket = { id, sent: false };
      this.#unsent.add(ticket);
      this.#grant(waiter, ticket);
    }
    // The quiet is over: stop pacing, then come back.
    if (this.#local !== undefined) return this.#backOnRedis();
    // Asks again when the next place frees (-2, "hold": woken once the last
    // process pacing itself is back), or on the heartbeat (each ask, of any
    // kind, puts it off).
    const again = this.#watch.nextAsk(Number(reply[1]), this.#queued.size > 0);
    if (again !== undefined) this.#wake(again);
  }

  #ready(): void {
    // (The timer of the start sees the state and does nothing.)
    if (this.state === "connecting") this.state = "redis";
    if (this.state !== "closed") this.#pump();
  }

  /**
   * Paces this process on its share of the budget: until Redis is back, or
   * for the `quiet` ms Redis says (Redis there, so sends are recorded).
   */
  #pace(cause: unknown, quiet?: number): void {
    if (this.state === "closed" || this.#local !== undefined) return;
    const share = localShare(this.#settings, this.#members);
    // A process that never had Redis has no places to go on from.
    const free = this.state === "redis"
      ? this.#watch.freeAtLoss(this.#settings.capacity, this.#members)
      : Infinity;
    this.#local = new LocalShare(share, free, this.#sends.ages(), [
      ...this.#unsent,
    ]);
    this.#unsent.clear();
    this.state = "local";
    for (const [id, waiter] of this.#queued) {
      this.#stale.push(id);
      waiter.id = "";
    }
    this.#queued.clear();
    this.#restored = quiet !== undefined;
    if (this.#restored) this.#releaseStale();
    this.#serveLocally();
    this.#announce({ state: "local", requestsPerSecond: share, cause });
    this.#wake(quiet ?? this.#settings.maxReconnectDelay);
  }

  /** Tells a Redis that answers again what it missed, and starts the quiet. */
  async #recover(): Promise<void> {
    const { maxReconnectDelay } = this.#settings;
    if (!this.#connection.ready) return this.#wake(maxReconnectDelay);
    await this.#releaseStale();
    if (this.#stale.length > 0) return this.#wake(maxReconnectDelay);
    try {
      // Long enough for the other processes to reconnect and do as much.
      const quiet = WINDOW + 2 * maxReconnectDelay;
      const left = await this.#restore(this.#sends.ages(), quiet);
      this.#restored = true;
      this.#wake(left);
    } catch {
      this.#wake(maxReconnectDelay);
    }
  }

  async #restore(ages: number[], quiet: number): Promise<number> {
    // A process pacing itself counts among those that must come back.
    const lease = this.#local !== undefined ? LEASE : 0;
    const args = [this.#settings.key, this.#process, WINDOW, quiet, lease];
    const reply = await this.#run(RESTORE, [...args, ...ages]) as unknown[];
    this.#members = Number(reply[1]);
    return Math.max(0, Number(reply[0]));
  }

  #backOnRedis(): void {
    this.#handedOver = this.#local?.stop();
    this.#local = undefined;
    this.#restored = false;
    this.state = "redis";
    const { maxRequestsPerSecond: requestsPerSecond } = this.#settings;
    this.#announce({ state: "redis", requestsPerSecond });
    // Those still waiting queue in Redis now, in their order.
    this.#pump();
  }

  #serveLocally(): void {
    this.#local?.serve(
      this.#waiting,
      (waiter, ticket) => this.#grant(waiter, ticket),
    );
  }

  #announce(event: RedisBudgetEvent): void {
    const { onFallback } = this.#settings;
    // A throwing listener must not break the budget: its error surfaces
    // on its own.
    if (onFallback !== undefined) queueMicrotask(() => onFallback(event));
  }
}
