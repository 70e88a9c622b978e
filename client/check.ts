// A one-shot read of a job's status, as core-lro's `poll()`: one exchange
// of the poll transport, no wait and no retry. It throws what that one
// request's failure is; the caller decides whether to ask again.

import type { RequestBudget } from "./request_budget.ts";
import type { WaitTarget } from "./engine.ts";
import { updateOf } from "./update.ts";
import { PollTransport } from "./poll.ts";
import type { TransportSettings } from "./request.ts";
import type { Exchange, ExchangeOutcome, Heard } from "./transport.ts";
import type { CheckOptions, StatusUpdate } from "./types.ts";
import { redact } from "./url.ts";

/** What a check needs of the client. */
export type CheckSettings = TransportSettings & { budget: RequestBudget };

/** Sends one status request for the target and returns its update. */
export async function checkOnce(
  settings: CheckSettings,
  target: WaitTarget,
  options: CheckOptions,
): Promise<StatusUpdate> {
  const { signal } = options;
  signal?.throwIfAborted();
  const start = settings.clock.now();
  const ticket = await settings.budget.acquire(signal);
  const exchange = new OneExchange(settings, target.url, signal, ticket);
  let outcome: ExchangeOutcome;
  try {
    outcome = await new PollTransport(settings, "never").exchange(exchange);
  } finally {
    // A place whose request never went goes back to the budget.
    settings.budget.done(ticket);
  }
  if (outcome.kind === "failure") throw outcome.error;
  const heard = exchange.heard as Heard;
  const elapsed = heard.receivedAt - (target.startedAt ?? start);
  return updateOf(heard, 1, elapsed, exchange.label.url);
}

/** The one exchange of a check: bounded by `requestTimeout` alone. */
class OneExchange implements Exchange {
  readonly url: string;
  readonly label: { method: string; url: string };
  readonly signal: AbortSignal | undefined;
  heard: Heard | undefined;
  readonly #budget: RequestBudget;
  readonly #ticket: unknown;

  constructor(
    settings: CheckSettings,
    url: string,
    signal: AbortSignal | undefined,
    ticket: unknown,
  ) {
    this.url = url;
    this.label = { method: "GET", url: redact(url) };
    this.signal = signal;
    this.#budget = settings.budget;
    this.#ticket = ticket;
  }

  remaining(): number {
    return Infinity;
  }

  sending(): void {
    this.#budget.sent(this.#ticket);
  }

  hear(heard: Heard): boolean {
    this.heard = heard;
    return true;
  }
}
