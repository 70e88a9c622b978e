/**
 * A wait one request at a time, for callers that sleep on their own (a job
 * queue, a workflow engine, a cron): `VideoStatusClient.step()`. Each step
 * drives the very machine `waitForJob()` runs (`wait_machine.ts`), from the
 * state the previous step returned, so that a wait in steps sends the
 * requests an uninterrupted one would.
 *
 * @module
 */

import { type EngineSettings, stepWait } from "./engine.ts";
import type { RequestTrace } from "./hooks.ts";
import { waitStateOf } from "./step_state.ts";
import type { WaitState } from "./step_state.ts";
import { pollingFor, type StrategySettings } from "./strategy.ts";
import { type TracedEnd, type TraceSettings, traceWait } from "./trace_wait.ts";
import type { FinalUpdate, StatusUpdate } from "./types.ts";
import { deliverFinal, type WaitStart } from "./wait.ts";
import { WaitMachine } from "./wait_machine.ts";

/**
 * Options of `VideoStatusClient.step()`.
 *
 * @example The first step of a wait of ten minutes
 * ```ts
 * import type { StepOptions } from "@video-status/client";
 *
 * const options: StepOptions = { timeout: 600_000, signal: AbortSignal.timeout(30_000) };
 * ```
 */
export interface StepOptions {
  /** Aborts the step's request; the step rejects with `signal.reason`, and the state it was given stays valid. */
  signal?: AbortSignal;
  /**
   * The wait's time limit in milliseconds, on the first step only (a state
   * carries its deadline). @default {the client's `timeout`}
   */
  timeout?: number;
  /** Called with the step's update, after the client's own `onUpdate`; what it throws, the step throws. */
  onUpdate?: (update: StatusUpdate) => void;
}

/**
 * What one step did: the update it heard (if its request did not fail),
 * whether the wait is over, how long to sleep before the next step, and
 * the wait's state to give it.
 *
 * @example Sleep as the step says
 * ```ts
 * import type { StepResult } from "@video-status/client";
 *
 * const sleepFor = (result: StepResult): number => result.done ? 0 : result.delay;
 * ```
 */
export type StepResult =
  | {
    /** The wait is over: `update` is final. */
    done: true;
    /** The final update. */
    update: FinalUpdate;
    /** Nothing follows a final update. */
    delay: undefined;
    /** The ended wait's state (a step or wait given it throws a TypeError). */
    state: WaitState;
  }
  | {
    /** The job is still pending, or the request failed and will be retried. */
    done: false;
    /** The pending update, or `undefined` when the request failed (`onRetry` saw why). */
    update: StatusUpdate | undefined;
    /** Milliseconds to sleep before the next step: the schedule's, the server's hint or the retry backoff, and never past the deadline. */
    delay: number;
    /** The state to give the next step (or `waitForJob()`), as it is or after a JSON round trip. */
    state: WaitState;
  };

/** How a step's hooks see it end: pending while the wait goes on. */
const stepEnd: TracedEnd<StepResult> = (result) =>
  result.done
    ? { outcome: result.update.result, update: result.update }
    : { outcome: "pending" };

/** Sends one request of the wait and says what comes next. */
export function runStep(
  settings: EngineSettings & StrategySettings & TraceSettings,
  start: WaitStart,
  options: StepOptions,
): Promise<StepResult> {
  const { dialect } = settings;
  if (start.final !== undefined) {
    // The create answer already said the job ended: nothing to ask.
    deliverFinal(settings, start.final, options);
    const position = { ...start.position, lastStatus: start.final.result };
    return Promise.resolve({
      done: true,
      update: start.final,
      delay: undefined,
      state: waitStateOf(position, dialect.name, start.longPoll ?? "auto"),
    });
  }
  return traceWait(
    settings,
    start.position,
    options,
    (trace) => stepOnce(settings, start, options, trace),
    { attempt: start.position.attempts + 1, end: stepEnd },
  );
}

async function stepOnce(
  settings: EngineSettings & StrategySettings,
  start: WaitStart,
  options: StepOptions,
  trace: RequestTrace | undefined,
): Promise<StepResult> {
  let update: StatusUpdate | undefined;
  // A step hears no webhooks: between steps, nothing listens.
  const machine = new WaitMachine(settings, start.position, {
    onUpdate: (heard) => {
      update = heard;
      options.onUpdate?.(heard);
    },
    safetyNet: false,
  });
  const transport = pollingFor(settings, start.longPoll);
  try {
    options.signal?.throwIfAborted();
    // A first request the schedule defers is this step's only decision.
    if (!machine.begin()) {
      await stepWait(settings, transport, machine, options.signal, trace);
    }
  } catch (error) {
    // An aborted step leaves the wait where it was; anything else ends it.
    if (!options.signal?.aborted) machine.abandon();
    throw error;
  }
  const state = waitStateOf(
    machine.position(),
    settings.dialect.name,
    transport.mode,
  );
  const { final } = machine;
  if (final !== undefined) {
    return { done: true, update: final, delay: undefined, state };
  }
  return { done: false, update, delay: machine.pause(), state };
}
