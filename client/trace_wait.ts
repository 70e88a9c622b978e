// A wait, or one step of it, between its `onWaitStart` and `onWaitEnd`
// hooks, with its requests traced as its own (`hooks.ts` has the hooks).

import { isTimeoutError } from "./errors/mod.ts";
import {
  call,
  type ClientHooks,
  RequestTrace,
  type WaitEndInfo,
  type WaitOutcome,
  type WaitStartInfo,
} from "./hooks.ts";
import type { Strategy } from "./options.ts";
import type { FinalUpdate, WaitOptions } from "./types.ts";
import { redact } from "./url.ts";
import type { WaitPosition } from "./wait_machine.ts";

/** What tracing a wait needs of the client. */
export interface TraceSettings {
  hooks: ClientHooks | undefined;
  dialect: { name: string };
  strategy: Strategy;
}

/** How a traced run ended, from what it resolved with. */
export type TracedEnd<T> = (
  value: T,
) => { outcome: WaitOutcome; update?: FinalUpdate };

const finalEnd: TracedEnd<FinalUpdate> = (update) => ({
  outcome: update.result,
  update,
});

/**
 * Runs a wait (or, with `step`, one step of it) between `onWaitStart` and
 * `onWaitEnd`, its requests traced, or just runs it when the client has no
 * hooks.
 */
export function traceWait<T = FinalUpdate>(
  settings: TraceSettings,
  position: Pick<WaitPosition, "url" | "jobId" | "timeout">,
  options: Pick<WaitOptions, "signal">,
  run: (trace: RequestTrace | undefined) => Promise<T>,
  step?: { attempt: number; end: TracedEnd<T> },
): Promise<T> {
  const { hooks } = settings;
  if (hooks === undefined) return run(undefined);
  const start: WaitStartInfo = {
    jobId: position.jobId ?? undefined,
    url: redact(position.url),
    dialect: settings.dialect.name,
    strategy: settings.strategy,
    timeout: position.timeout,
    ...step !== undefined && { step: step.attempt },
  };
  const wait = call(hooks, "onWaitStart", start);
  const trace = new RequestTrace(hooks, wait);
  const end = (outcome: WaitOutcome, ended: Partial<WaitEndInfo>): void => {
    call(hooks, "onWaitEnd", {
      ...start,
      ...ended,
      wait,
      outcome,
      requests: trace.requests,
    });
  };
  const endOf = step?.end ?? (finalEnd as TracedEnd<unknown>);
  let running: Promise<T>;
  try {
    running = run(trace);
  } catch (error) {
    // A wait refused as it starts (an aborted signal) still ends traced.
    running = Promise.reject(error);
  }
  return running.then(
    (value) => {
      const { outcome, update } = endOf(value);
      end(outcome, update === undefined ? {} : { update });
      return value;
    },
    (error) => {
      end(outcomeOf(error, options.signal), { error });
      throw error;
    },
  );
}

function outcomeOf(
  error: unknown,
  signal: AbortSignal | undefined,
): WaitOutcome {
  if (signal?.aborted && error === signal.reason) return "aborted";
  return isTimeoutError(error) ? "timeout" : "failed";
}
