// A whole wait from where it starts: a target (a job, a created job, the
// client's status URL) or a state saved by `step()`. `waitForJob()`,
// `getStatus()` and `watch()` start here; `step()` shares `waitStart()`.

import { type EngineSettings, runWait } from "./engine.ts";
import { type TraceSettings, traceWait } from "./trace_wait.ts";
import type { LongPollMode } from "./poll.ts";
import type { ClientSettings } from "./settings.ts";
import { isWaitState, parseWaitState } from "./step_state.ts";
import type { WaitState } from "./step_state.ts";
import { type StrategySettings, transportFor } from "./strategy.ts";
import type { FinalUpdate, WaitOptions } from "./types.ts";
import {
  startPosition,
  type WaitPosition,
  type WaitTarget,
} from "./wait_machine.ts";
import { assertFiniteAtLeast } from "../util/validate.ts";

/** Where a wait starts from: a fresh position, or a saved one and what it had learned. */
export interface WaitStart {
  position: WaitPosition;
  /** How the `"auto"` strategy polls, when a saved wait had learned it. */
  longPoll: LongPollMode | undefined;
  /** The job's final update, when its create answer held it. */
  final: FinalUpdate | undefined;
}

/**
 * Where a wait starts: at a target (from `targetOf()`) with the options'
 * timeout, or where a saved state left it (whose deadline is kept: a
 * `timeout` with it is a TypeError).
 */
export function waitStart(
  settings: Pick<ClientSettings, "clock" | "dialect" | "origins" | "timeout">,
  from: WaitTarget | WaitState,
  timeout: number | undefined,
): WaitStart {
  if (isWaitState(from)) {
    if (timeout !== undefined) {
      throw new TypeError(
        "Cannot resume a wait with a 'timeout' as its state holds its deadline",
      );
    }
    return { ...parseWaitState(from, settings), final: undefined };
  }
  const limit = timeout ?? settings.timeout;
  assertFiniteAtLeast("wait", "timeout", limit, 1);
  return {
    position: startPosition(settings.clock.now(), from, limit),
    longPoll: undefined,
    final: from.final,
  };
}

/** Reports a final update known without a request (a create answer held it). */
export function deliverFinal(
  settings: Pick<ClientSettings, "onUpdate">,
  final: FinalUpdate,
  options: Pick<WaitOptions, "signal" | "onUpdate">,
): void {
  options.signal?.throwIfAborted();
  settings.onUpdate?.(final);
  options.onUpdate?.(final);
}

/**
 * Runs a wait from a target or a saved state until its status is final,
 * between its hooks. Not async itself, so that a sleeping wait keeps no
 * frame here: only the engine's.
 */
export function runWaitFrom(
  settings: EngineSettings & StrategySettings & TraceSettings & ClientSettings,
  from: WaitTarget | WaitState,
  options: WaitOptions,
): Promise<FinalUpdate> {
  try {
    const start = waitStart(settings, from, options.timeout);
    if (start.final !== undefined) {
      // The create answer already said the job ended: nothing to ask.
      deliverFinal(settings, start.final, options);
      return Promise.resolve(start.final);
    }
    const transport = transportFor(settings, start.longPoll);
    return traceWait(
      settings,
      start.position,
      options,
      (trace) => runWait(settings, transport, start.position, options, trace),
    );
  } catch (error) {
    return Promise.reject(error);
  }
}
