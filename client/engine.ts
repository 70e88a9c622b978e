// The wait engine: one async function per wait, whatever the transport. It
// owns the wait's sleeps, its request budget and the webhooks it listens
// to, and drives the wait's decisions (`wait_machine.ts`: deadline,
// schedule, hints, failures, updates) one request at a time; a transport
// only runs one exchange at a time and reports what it heard.
//
// No timer runs but the one the wait sleeps on: the deadline bounds each
// sleep and request instead of arming a timer of its own. This keeps a
// sleeping wait small (see the scale benchmark).

import type { RequestLabel } from "./answer.ts";
import { MemoryBudget } from "./budget.ts";
import type { RequestBudget } from "./request_budget.ts";
import type { ClientSettings } from "./settings.ts";
import { LinkedSignal } from "./request.ts";
import type {
  Exchange,
  ExchangeOutcome,
  Heard,
  Transport,
} from "./transport.ts";
import type { FinalUpdate, WaitOptions } from "./types.ts";
import {
  type MachineSettings,
  WaitMachine,
  type WaitPosition,
} from "./wait_machine.ts";
import { heardOf, WebhookLink } from "./webhook_wait.ts";
import type { RequestTrace } from "./hooks.ts";
import type { WebhookSource } from "./webhooks/source.ts";

/** What the engine needs of the client. */
export type EngineSettings =
  & MachineSettings
  & Pick<ClientSettings, "webhooks">
  & { budget: RequestBudget };

/**
 * Waits from `position` until the status is final, hearing it through
 * `transport` and, where the wait has a job id and a webhook source, its
 * webhook events.
 */
export function runWait(
  settings: EngineSettings,
  transport: Transport,
  position: WaitPosition,
  options: WaitOptions,
  trace?: RequestTrace,
): Promise<FinalUpdate> {
  options.signal?.throwIfAborted();
  const { jobId } = position;
  const source = jobId === null
    ? undefined
    : options.webhooks ?? settings.webhooks;
  const machine = new WaitMachine(settings, position, {
    onUpdate: options.onUpdate,
    safetyNet: source !== undefined,
  });
  return new Wait(settings, machine, options.signal, source, jobId, trace)
    .run(transport);
}

/**
 * Sends one request of the machine's wait, without sleeping first, and
 * takes what it decides; returns the transport for the next request.
 */
export function stepWait(
  settings: EngineSettings,
  transport: Transport,
  machine: WaitMachine,
  signal: AbortSignal | undefined,
  trace: RequestTrace | undefined,
): Promise<Transport> {
  signal?.throwIfAborted();
  return new Wait(settings, machine, signal, undefined, null, trace)
    .once(transport);
}

class Wait implements Exchange {
  readonly url: string;
  readonly label: RequestLabel;
  readonly signal: AbortSignal | undefined;
  readonly trace: RequestTrace | undefined;
  readonly #settings: EngineSettings;
  readonly #machine: WaitMachine;
  #ticket: unknown = -1;
  /** An exception of a callback or of the schedule, which ends the wait. */
  #thrown: { error: unknown } | undefined;
  readonly #webhooks: WebhookLink | undefined;

  constructor(
    settings: EngineSettings,
    machine: WaitMachine,
    signal: AbortSignal | undefined,
    source: WebhookSource | undefined,
    jobId: string | null,
    trace?: RequestTrace,
  ) {
    this.#settings = settings;
    this.#machine = machine;
    this.url = machine.url;
    this.label = machine.label;
    this.trace = trace;
    this.#webhooks = source === undefined || jobId === null
      ? undefined
      : new WebhookLink(source, jobId, signal, (event) => {
        if (this.hear(heardOf(event))) this.#webhooks!.end();
      });
    this.signal = this.#webhooks?.signal ?? signal;
  }

  async run(first: Transport): Promise<FinalUpdate> {
    let transport = first;
    const { clock } = this.#settings;
    const machine = this.#machine;
    const webhooks = this.#webhooks;
    try {
      webhooks?.start();
      machine.begin();
      while (true) {
        // Slept here, not in a helper: a sleeping wait is this one frame.
        this.signal?.throwIfAborted();
        const pause = machine.pause(webhooks?.hinted);
        if (pause > 0) {
          if (webhooks === undefined) await clock.sleep(pause, this.signal);
          // A hint cut the sleep short: plan the request again.
          else if (await webhooks.sleep(clock, pause)) continue;
        }
        transport = await this.once(transport);
        if (machine.final !== undefined) return machine.final;
      }
    } catch (error) {
      // A final event ends the wait by aborting its sleep or request.
      if (this.#thrown !== undefined) throw this.#thrown.error;
      if (webhooks?.ended) return machine.final!;
      machine.abandon();
      throw error;
    } finally {
      webhooks?.close();
    }
  }

  /** Sends one request and takes what it decides; returns the transport for the next. */
  async once(transport: Transport): Promise<Transport> {
    const machine = this.#machine;
    // No request goes at or past the deadline.
    machine.checkDeadline();
    this.#ticket = await this.#takeBudget();
    const outcome = await this.#exchange(transport);
    if (machine.final !== undefined) return transport;
    switch (outcome.kind) {
      case "answered":
        return transport;
      case "fallback":
        machine.replan();
        return outcome.transport;
      case "closed":
        machine.closed(outcome.retry);
        return transport;
      case "failure":
        // A failure caused by the abort itself is not one to report.
        this.signal?.throwIfAborted();
        machine.fail(outcome.error, outcome.retryAfter);
        return transport;
    }
  }

  remaining(): number {
    return this.#machine.remaining();
  }

  sending(): void {
    this.#settings.budget.sent(this.#ticket);
    this.#machine.sending();
    this.#webhooks?.sent();
  }

  hear(heard: Heard): boolean {
    try {
      return this.#machine.hear(heard);
    } catch (error) {
      this.#thrown = { error };
      return true;
    }
  }

  async #exchange(transport: Transport): Promise<ExchangeOutcome> {
    try {
      this.#machine.attempt();
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

  /** A place in the request budget, given up at the deadline. */
  async #takeBudget(): Promise<unknown> {
    const { budget, clock } = this.#settings;
    if (budget instanceof MemoryBudget && budget.unlimited) return -1;
    const machine = this.#machine;
    const deadline = {};
    const link = new LinkedSignal(
      clock,
      this.signal,
      machine.remaining(),
      () => deadline,
    );
    try {
      return await budget.acquire(link.signal);
    } catch (error) {
      if (error === deadline) machine.checkDeadline();
      throw error;
    } finally {
      link.close();
    }
  }
}
