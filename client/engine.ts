// The wait engine: one async function per wait, whatever the transport. It
// owns the wait's time (deadline, sleeps, the `minDelay` floor between
// request starts), its failures and retries, the server's pacing, the
// schedule, and the updates it emits; a transport only runs one exchange at
// a time and reports what it heard.
//
// No timer runs but the one the wait sleeps on: the deadline bounds each
// sleep and request instead of arming a timer of its own. This keeps a
// sleeping wait small (see the scale benchmark).

import { isPacing, type RequestLabel } from "./answer.ts";
import { MemoryBudget } from "./budget.ts";
import type { RequestBudget } from "./request_budget.ts";
import { RetryError, TimeoutError } from "./errors/mod.ts";
import type { ClientSettings } from "./settings.ts";
import { LinkedSignal } from "./request.ts";
import type {
  Exchange,
  ExchangeOutcome,
  Heard,
  Transport,
} from "./transport.ts";
import type { FinalUpdate, StatusUpdate, WaitOptions } from "./types.ts";
import { updateOf } from "./update.ts";
import { redact } from "./url.ts";
import { heardOf, WebhookLink } from "./webhook_wait.ts";
import { isFinalStatus, type VideoStatus } from "../protocol/status.ts";
import { show } from "../util/validate.ts";

/** What the engine needs of the client. */
export type EngineSettings =
  & Pick<
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
    | "webhooks"
    | "webhookSafetyDelay"
  >
  & { budget: RequestBudget };

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

/** Waits until the target's status is final, hearing it through `transport`. */
export function runWait(
  settings: EngineSettings,
  transport: Transport,
  target: WaitTarget,
  timeout: number,
  options: WaitOptions,
): Promise<FinalUpdate> {
  options.signal?.throwIfAborted();
  return new Wait(settings, target, timeout, options).run(transport);
}

class Wait implements Exchange {
  readonly url: string;
  readonly label: RequestLabel;
  readonly signal: AbortSignal | undefined;
  readonly #settings: EngineSettings;
  readonly #onUpdate: ((update: StatusUpdate) => void) | undefined;
  readonly #timeout: number;
  readonly #deadline: number;
  readonly #startedAt: number;
  /** The wait's identity to the schedule, if its job's start is known (so its duration may be taught). */
  readonly #id: object | undefined;
  #attempts = 0;
  #failures = 0;
  /** Consecutive pacing answers (429, 503 with Retry-After). */
  #paced = 0;
  #ticket: unknown = -1;
  #lastStatus: VideoStatus | undefined;
  /** When the last request of this wait started. */
  #lastSentAt = -Infinity;
  /** When the next request may start, before the `minDelay` floor. */
  #nextAt = -Infinity;
  /** When a pending status was last heard. */
  #pendingSeenAt: number | undefined;
  /** Whether the last thing this wait heard was a pending status, with no failure since. */
  #lastWasPending = false;
  #final: FinalUpdate | undefined;
  /** An exception of a callback or of the schedule, which ends the wait. */
  #thrown: { error: unknown } | undefined;
  readonly #webhooks: WebhookLink | undefined;

  constructor(
    settings: EngineSettings,
    target: WaitTarget,
    timeout: number,
    options: WaitOptions,
  ) {
    const now = settings.clock.now();
    this.#settings = settings;
    this.url = target.url;
    this.label = { method: "GET", url: redact(target.url) };
    const source = options.webhooks ?? settings.webhooks;
    this.#webhooks = source === undefined || target.jobId === undefined
      ? undefined
      : new WebhookLink(source, target.jobId, options.signal, (event) => {
        if (this.hear(heardOf(event))) this.#webhooks!.end();
      });
    this.signal = this.#webhooks?.signal ?? options.signal;
    this.#onUpdate = options.onUpdate;
    this.#timeout = timeout;
    this.#deadline = now + timeout;
    this.#startedAt = target.startedAt ?? now;
    this.#id = target.startedAt === undefined ? undefined : {};
  }

  async run(first: Transport): Promise<FinalUpdate> {
    let transport = first;
    const { clock } = this.#settings;
    const webhooks = this.#webhooks;
    try {
      webhooks?.start();
      while (true) {
        // Slept here, not in a helper: a sleeping wait is this one frame.
        this.signal?.throwIfAborted();
        const pause = this.#pause();
        if (pause > 0) {
          if (webhooks === undefined) await clock.sleep(pause, this.signal);
          // A hint cut the sleep short: plan the request again.
          else if (await webhooks.sleep(clock, pause)) continue;
          this.#checkDeadline();
        }
        this.#ticket = await this.#takeBudget();
        this.#attempts++;
        const outcome = await this.#exchange(transport);
        if (this.#final !== undefined) return this.#final;
        switch (outcome.kind) {
          case "answered":
            break;
          case "fallback":
            transport = outcome.transport;
            this.#nextAt = -Infinity;
            break;
          case "closed":
            // A stream that closed after delivering statuses is no failure:
            // reconnect when it asked, or after the first backoff delay.
            this.#plan(
              outcome.retry === undefined
                ? this.#settings.retryBackoff.delay(1)
                : this.#bound(outcome.retry),
            );
            break;
          case "failure":
            this.#fail(outcome);
        }
      }
    } catch (error) {
      // A final event ends the wait by aborting its sleep or request.
      if (this.#thrown !== undefined) throw this.#thrown.error;
      if (webhooks?.ended) return this.#final!;
      if (this.#id && this.#pendingSeenAt !== undefined) {
        const after = this.#pendingSeenAt - this.#startedAt;
        this.#settings.schedule.abandon?.({ after, wait: this.#id });
      }
      throw error;
    } finally {
      webhooks?.close();
    }
  }

  remaining(): number {
    return this.#deadline - this.#settings.clock.now();
  }

  sending(): void {
    this.#settings.budget.sent(this.#ticket);
    this.#lastSentAt = this.#settings.clock.now();
    this.#webhooks?.sent();
  }

  hear(heard: Heard): boolean {
    try {
      return this.#hear(heard);
    } catch (error) {
      this.#thrown = { error };
      return true;
    }
  }

  #hear(heard: Heard): boolean {
    // Nothing follows the final update, whichever way it came.
    if (this.#final !== undefined) return true;
    const { clock } = this.#settings;
    if (heard.source !== "webhook") {
      // A webhook says nothing of how requests fare.
      this.#failures = 0;
      this.#paced = 0;
    }
    this.#lastStatus = heard.result;
    const elapsed = clock.now() - this.#startedAt;
    const update = updateOf(heard, this.#attempts, elapsed, this.label.url);
    if (isFinalStatus(heard.result)) {
      this.#observe(heard);
      this.#final = update as FinalUpdate;
      this.#emit(this.#final);
      return true;
    }
    this.#pendingSeenAt = heard.receivedAt;
    this.#lastWasPending = true;
    if (!heard.streaming) {
      const hinted = heard.retryAfter === undefined
        ? undefined
        : this.#hinted(heard.retryAfter);
      update.nextDelay = this.#plan(
        // With webhooks, polling is the safety net: slow, whatever the schedule.
        this.#webhooks !== undefined
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
    if (!this.#id) return;
    if (heard.held && this.#pendingSeenAt === undefined) return;
    const atMost = heard.receivedAt - this.#startedAt;
    const lastPending = this.#pendingSeenAt === undefined
      ? 0
      : this.#pendingSeenAt - this.#startedAt;
    const after = heard.held && this.#lastWasPending
      ? Math.max(lastPending, heard.sentAt - this.#startedAt)
      : lastPending;
    this.#settings.schedule.observe?.({
      after: Math.min(after, atMost),
      atMost,
      wait: this.#id,
    });
  }

  #emit(update: StatusUpdate): void {
    this.#settings.onUpdate?.(update);
    this.#onUpdate?.(update);
  }

  async #exchange(transport: Transport): Promise<ExchangeOutcome> {
    try {
      const outcome = await transport.exchange(this);
      if (this.#thrown !== undefined) throw this.#thrown.error;
      return outcome;
    } catch (error) {
      throw this.#thrown === undefined ? error : this.#thrown.error;
    } finally {
      // A place whose request never went goes back to the budget.
      this.#settings.budget.done(this.#ticket);
    }
  }

  #fail(failure: { error: unknown; retryAfter: number | undefined }): void {
    const { error, retryAfter } = failure;
    // A failure caused by the abort itself is not one to report.
    this.signal?.throwIfAborted();
    this.#checkDeadline(error);
    this.#lastWasPending = false;
    const settings = this.#settings;
    let delay: number;
    if (isPacing(error, retryAfter)) {
      this.#paced++;
      delay = retryAfter === undefined
        ? settings.pacingBackoff.delay(this.#paced)
        : this.#hinted(retryAfter);
    } else {
      this.#failures++;
      if (this.#failures > settings.maxRetries) {
        throw new RetryError(error, this.#failures, this.label);
      }
      delay = retryAfter === undefined
        ? settings.retryBackoff.delay(this.#failures)
        : this.#hinted(retryAfter);
    }
    const nextDelay = this.#plan(delay);
    settings.onRetry?.({
      error,
      failures: this.#failures,
      nextDelay,
      url: this.label.url,
    });
  }

  /** Plans the next request `delay` from now, but never closer than `minDelay` to the last one's start; returns the delay. */
  #plan(delay: number): number {
    const now = this.#settings.clock.now();
    this.#nextAt = Math.max(
      now + delay,
      this.#lastSentAt + this.#settings.minDelay,
    );
    return this.#nextAt - now;
  }

  /** The schedule's delay, checked: a schedule must not make the wait spin or stall. */
  #scheduled(elapsed: number): number {
    const { schedule } = this.#settings;
    const delay: unknown = schedule.nextDelay({
      attempt: this.#attempts,
      elapsed,
      ...this.#id && { wait: this.#id },
    });
    if (typeof delay !== "number" || !(delay >= 0) || delay === Infinity) {
      const name = schedule.constructor?.name ?? "";
      throw new RangeError(
        `Cannot wait as the schedule${
          name && name !== "Object" ? ` ${name}` : ""
        } returned from 'nextDelay()' a delay that is not a non-negative finite number: current value is ${
          show(delay)
        }`,
      );
    }
    return delay;
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

  /** How long to sleep before the next request: until it is due, and never past the deadline. */
  #pause(): number {
    const { clock, minDelay } = this.#settings;
    const next = this.#webhooks?.hinted ? -Infinity : this.#nextAt;
    const at = Math.max(next, this.#lastSentAt + minDelay);
    const ms = at - clock.now();
    if (ms <= 0) return 0;
    this.#checkDeadline();
    return Math.min(ms, this.remaining());
  }

  #checkDeadline(cause?: unknown): void {
    if (this.remaining() > 0) return;
    throw new TimeoutError(this.#timeout, this.#attempts, this.#lastStatus, {
      ...this.label,
      cause,
    });
  }

  /** A place in the request budget, given up at the deadline. */
  async #takeBudget(): Promise<unknown> {
    const { budget, clock } = this.#settings;
    if (budget instanceof MemoryBudget && budget.unlimited) return -1;
    this.#checkDeadline();
    const deadline = {};
    const link = new LinkedSignal(
      clock,
      this.signal,
      this.remaining(),
      () => deadline,
    );
    try {
      return await budget.acquire(link.signal);
    } catch (error) {
      if (error === deadline) this.#checkDeadline();
      throw error;
    } finally {
      link.close();
    }
  }
}
