// The transport a wait starts with, as the client's strategy says.

import { type LongPollMode, PollTransport } from "./poll.ts";
import type { TransportSettings } from "./request.ts";
import type { ClientSettings } from "./settings.ts";
import { SseTransport } from "./sse.ts";
import type { Transport } from "./transport.ts";
import { type WebSocketSettings, WebSocketTransport } from "./websocket.ts";

/** What choosing a transport needs of the client. */
export type StrategySettings =
  & TransportSettings
  & WebSocketSettings
  & Pick<ClientSettings, "strategy">;

/**
 * A fresh transport for one wait. `longPoll` is how the `"auto"` strategy
 * asks, when a resumed wait had learned it.
 */
export function transportFor(
  settings: StrategySettings,
  longPoll?: LongPollMode,
): Transport {
  // What the push strategies fall back to where the server offers no push.
  const polling = () => new PollTransport(settings, "auto");
  switch (settings.strategy) {
    case "sse":
      return new SseTransport(settings, polling);
    case "websocket":
      return new WebSocketTransport(settings, polling);
    default:
      return pollingFor(settings, longPoll);
  }
}

/**
 * The poll transport of the strategy: never long-polling for `"poll"`,
 * always for `"long-poll"`, and otherwise (`"auto"`, and a push strategy
 * asked for one request at a time) while the server holds requests, as
 * `longPoll` says when the wait had learned it.
 */
export function pollingFor(
  settings: StrategySettings,
  longPoll?: LongPollMode,
): PollTransport {
  switch (settings.strategy) {
    case "poll":
      return new PollTransport(settings, "never");
    case "long-poll":
      return new PollTransport(settings, "always");
    default:
      return new PollTransport(settings, longPoll ?? "auto");
  }
}
