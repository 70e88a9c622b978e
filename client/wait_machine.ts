// The decisions of a wait, apart from how it hears and sleeps: its deadline,
// the delay before the next request (schedule, server hints, backoff,
// `minDelay`), its failures and retries, and the updates it emits. The
// engine drives it in a loop that sleeps (`engine.ts`); `client.step()`
// drives it one request at a time, saving its position as plain JSON
// between requests (`step_state.ts`). One machine, so both wait alike.
//
// It reads time from the clock but never sleeps, and its whole position is
// a `WaitPosition`: a machine made from another's position decides what
// that one would have.

import { isPacing, type RequestLabel } from "./answer.ts";
import { RetryError, TimeoutError } from "./errors/mod.ts";
import type { ClientSettings } from "./settings.ts";
import type { WaitState } from "./step_state.ts";
import type { Heard } from "./transport.ts";
import type { FinalUpdate, StatusUpdate } from "./types.ts";
import { updateOf } from "./update.ts";
import { redact } from "./url.ts";
import { isFinalStatus } from "../protocol/status.ts";
import type { PollSchedule } from "../timing/schedule.ts";
import { show } from "../util/validate.ts";

/** What a wait's decisions need of the client. */
export type MachineSettings = Pick<
  ClientSettings,
  | "clock"
  | "schedule"
  | "retryBackoff"
  | "pacingBackoff"
  | "maxRetries"
  | "minDelay"
  | "maxRetryAfter"
  | "jitter"
  | "random"
  | "onUpdate"
  | "onRetry"
  | "webhookSafetyDelay"
>;

/** The status URL to wait on, and when its job started if the client knows. */
export interface WaitTarget {
  url: string;
  /** The job's creation time on the client's clock; `undefined` if unknown. */
  startedAt: number | undefined;
  /** The job's final update, when its create answer already held it. */
  final?: FinalUpdate;
  /** The job's id, which its webhook events name; `undefined` for `statusUrl`. */
  jobId?: string;
}

/**
 * Where a wait stands: all a machine needs to decide as the one it came
 * from would have. Plain JSON (`null` for "never"); times are the client
 * clock's milliseconds. A saved `WaitState` is this, with its format, its
 * dialect and how it polls.
 */
export type WaitPosition = Omit<WaitState, "format" | "dialect" | "longPoll">;

/** The position of a wait that starts now. */
export function startPosition(
  now: number,
  target: WaitTarget,
  timeout: number,
): WaitPosition {
  return {
    url: target.url,
    jobId: target.jobId ?? null,
    timeout,
    deadline: now + timeout,
    startedAt: target.startedAt ?? now,
    startKnown: target.startedAt !== undefined,
    attempts: 0,
    failures: 0,
    paced: 0,
    lastStatus: null,
    lastSentAt: null,
    nextAt: null,
    pendingSeenAt: null,
    lastWasPending: false,
  };
}

/** How a machine reports: the wait's own update callback, and whether webhooks make polling a safety net. */
export interface MachineHooks {
  onUpdate: ((update: StatusUpdate) => void) | undefined;
  /** With webhooks, polling is the safety net: slow, whatever the schedule. */
  safetyNet: boolean;
}

/** A wait's decisions, from a position. */
export class WaitMachine {
  readonly url: string;
  readonly label: RequestLabel;
  readonly #settings: MachineSettings;
  readonly #hooks: MachineHooks;
  readonly #p: WaitPosition;
  /**
   * Names the wait to the schedule when its job's start is known: the same
   * in every step of the wait, in any process, as it comes from the position.
   */
  readonly #wait: string | undefined;
  #final: FinalUpdate | undefined;

  constructor(
    settings: MachineSettings,
    position: WaitPosition,
    hooks: MachineHooks,
  ) {
    this.#settings = settings;
    this.#hooks = hooks;
    this.#p = { ...position };
    this.url = position.url;
    this.label = { method: "GET", url: redact(position.url) };
    this.#wait = position.startKnown
      ? `${position.startedAt} ${position.url}`
      : undefined;
  }

  /** Where the wait stands now (a copy). */
  position(): WaitPosition {
    return { ...this.#p };
  }

  /** The final update, once heard. */
  get final(): FinalUpdate | undefined {
    return this.#final;
  }

  remaining(): number {
    return this.#p.deadline - this.#settings.clock.now();
  }

  /**
   * Plans the first request of a wait that has sent none and planned none:
   * `firstDelay()` later, if the schedule defers it and the wait knows when
   * its job started and has no webhooks (whose safety net asks at once).
   * Returns whether the request was deferred.
   */
  begin(): boolean {
    const { schedule, clock } = this.#settings;
    const p = this.#p;
    if (
      p.attempts > 0 || p.nextAt !== null || this.#wait === undefined ||
      this.#hooks.safetyNet || schedule.firstDelay === undefined
    ) {
      return false;
    }
    const delay = checkedDelay(
      schedule,
      "firstDelay",
      schedule.firstDelay({
        elapsed: clock.now() - p.startedAt,
        wait: this.#wait,
      }),
    );
    if (delay === 0) return false;
    this.#plan(delay);
    return true;
  }

  /**
   * Tells the schedule that the wait ended without a final status: its job
   * outlived the last pending status heard, or (none heard) its creation,
   * whose answer was not final.
   */
  abandon(): void {
    const { pendingSeenAt, startedAt } = this.#p;
    if (this.#wait === undefined) return;
    this.#settings.schedule.abandon?.({
      after: (pendingSeenAt ?? startedAt) - startedAt,
      wait: this.#wait,
    });
  }

  /** Counts a request about to be made. */
  attempt(): void {
    this.#p.attempts++;
  }

  /** Stamps the start of the request. */
  sending(): void {
    this.#p.lastSentAt = this.#settings.clock.now();
  }

  /**
   * Takes a status heard: emits its update, plans the next request after a
   * pending one, teaches the schedule after a final one. Returns whether it
   * was final.
   */
  hear(heard: Heard): boolean {
    // Nothing follows the final update, whichever way it came.
    if (this.#final !== undefined) return true;
    const p = this.#p;
    if (heard.source !== "webhook") {
      // A webhook says nothing of how requests fare.
      p.failures = 0;
      p.paced = 0;
    }
    p.lastStatus = heard.result;
    const elapsed = this.#settings.clock.now() - p.startedAt;
    const update = updateOf(heard, p.attempts, elapsed, this.label.url);
    if (isFinalStatus(heard.result)) {
      this.#observe(heard);
      this.#final = update as FinalUpdate;
      this.#emit(this.#final);
      return true;
    }
    p.pendingSeenAt = heard.receivedAt;
    p.lastWasPending = true;
    if (!heard.streaming) {
      const hinted = heard.retryAfter === undefined
        ? undefined
        : this.#hinted(heard.retryAfter);
      update.nextDelay = this.#plan(
        this.#hooks.safetyNet
          ? Math.max(this.#settings.webhookSafetyDelay, hinted ?? 0)
          : heard.held
          ? 0
          : hinted ?? this.#scheduled(elapsed),
      );
    }
    this.#emit(update);
    return false;
  }

  /**
   * Takes a failed request: plans the retry after the server's hint or the
   * backoff, and reports it to `onRetry`. Throws the TimeoutError at the
   * deadline, and the RetryError past `maxRetries` consecutive failures.
   */
  fail(error: unknown, retryAfter: number | undefined): void {
    this.checkDeadline(error);
    const p = this.#p;
    p.lastWasPending = false;
    const settings = this.#settings;
    let delay: number;
    if (isPacing(error, retryAfter)) {
      p.paced++;
      delay = retryAfter === undefined
        ? settings.pacingBackoff.delay(p.paced)
        : this.#hinted(retryAfter);
    } else {
      p.failures++;
      if (p.failures > settings.maxRetries) {
        throw new RetryError(error, p.failures, this.label);
      }
      delay = retryAfter === undefined
        ? settings.retryBackoff.delay(p.failures)
        : this.#hinted(retryAfter);
    }
    const nextDelay = this.#plan(delay);
    settings.onRetry?.({
      error,
      failures: p.failures,
      nextDelay,
      url: this.label.url,
    });
  }

  /**
   * Takes an event stream that closed after delivering statuses, which is no
   * failure: reconnect when it asked, or after the first backoff delay.
   */
  closed(retry: number | undefined): void {
    this.#plan(
      retry === undefined
        ? this.#settings.retryBackoff.delay(1)
        : this.#bound(retry),
    );
  }

  /** Lets the next request go at once (but for `minDelay`): the wait changed transport. */
  replan(): void {
    this.#p.nextAt = null;
  }

  /**
   * How long to sleep before the next request: until it is due, and never
   * past the deadline (a wait due later than now throws its TimeoutError
   * there). `hinted`: a webhook event asked for a request now.
   */
  pause(hinted = false): number {
    const { clock, minDelay } = this.#settings;
    const { nextAt, lastSentAt } = this.#p;
    const next = hinted || nextAt === null ? -Infinity : nextAt;
    const at = Math.max(next, (lastSentAt ?? -Infinity) + minDelay);
    const ms = at - clock.now();
    if (ms <= 0) return 0;
    this.checkDeadline();
    return Math.min(ms, this.remaining());
  }

  /** Throws the wait's TimeoutError if its deadline has come. */
  checkDeadline(cause?: unknown): void {
    if (this.remaining() > 0) return;
    const { timeout, attempts, lastStatus } = this.#p;
    throw new TimeoutError(timeout, attempts, lastStatus ?? undefined, {
      ...this.label,
      cause,
    });
  }

  /**
   * Teaches the schedule where the completion lay, if this wait knows when
   * its job started. It lies after the last pending status heard (0 if
   * none) and at or before the final one; a held request or stream that
   * directly follows a pending status saw the change as it happened.
   *
   * A held request that brings the first status of the wait teaches
   * nothing: if the server held it until the job ended, its answer time is
   * the duration itself, and taking that for an upper bound only ("at most
   * this long") would pull the learned durations short, wait after wait.
   */
  #observe(heard: Heard): void {
    const { startedAt, pendingSeenAt, lastWasPending, deadline, timeout } =
      this.#p;
    const wait = this.#wait;
    if (wait === undefined) return;
    if (heard.held && pendingSeenAt === null) return;
    const atMost = heard.receivedAt - startedAt;
    const lastPending = pendingSeenAt === null ? 0 : pendingSeenAt - startedAt;
    const after = heard.held && lastWasPending
      ? Math.max(lastPending, heard.sentAt - startedAt)
      : lastPending;
    this.#settings.schedule.observe?.({
      after: Math.min(after, atMost),
      atMost,
      wait,
      // The wait began `timeout` before its deadline, in any step.
      watchedFrom: Math.max(0, deadline - timeout - startedAt),
    });
  }

  #emit(update: StatusUpdate): void {
    this.#settings.onUpdate?.(update);
    this.#hooks.onUpdate?.(update);
  }

  /** Plans the next request `delay` from now, but never closer than `minDelay` to the last one's start; returns the delay. */
  #plan(delay: number): number {
    const now = this.#settings.clock.now();
    const nextAt = Math.max(
      now + delay,
      (this.#p.lastSentAt ?? -Infinity) + this.#settings.minDelay,
    );
    this.#p.nextAt = nextAt;
    return nextAt - now;
  }

  /** The schedule's delay, checked. */
  #scheduled(elapsed: number): number {
    const { schedule } = this.#settings;
    return checkedDelay(
      schedule,
      "nextDelay",
      schedule.nextDelay({
        attempt: this.#p.attempts,
        elapsed,
        ...this.#wait !== undefined && { wait: this.#wait },
      }),
    );
  }

  /** A delay the server asked for, within [minDelay, maxRetryAfter]. */
  #bound(ms: number): number {
    const { minDelay, maxRetryAfter } = this.#settings;
    return Math.min(maxRetryAfter, Math.max(minDelay, ms));
  }

  /**
   * The delay a server's hint asks for, within bounds. Jitter only lengthens
   * it ("not before"), so that clients told the same time do not return
   * together.
   */
  #hinted(retryAfter: number): number {
    const { jitter, random } = this.#settings;
    return this.#bound(this.#bound(retryAfter) * (1 + jitter * random()));
  }
}

/** A schedule's delay, checked: a schedule must not make the wait spin or stall. */
function checkedDelay(
  schedule: PollSchedule,
  method: "nextDelay" | "firstDelay",
  delay: unknown,
): number {
  if (typeof delay !== "number" || !(delay >= 0) || delay === Infinity) {
    const name = schedule.constructor?.name ?? "";
    throw new RangeError(
      `Cannot wait as the schedule${
        name && name !== "Object" ? ` ${name}` : ""
      } returned from '${method}()' a delay that is not a non-negative finite number: current value is ${
        show(delay)
      }`,
    );
  }
  return delay;
}
