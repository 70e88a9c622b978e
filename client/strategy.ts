// The transport a wait starts with, as the client's strategy says.

import { PollTransport } from "./poll.ts";
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

/** A fresh transport for one wait. */
export function transportFor(settings: StrategySettings): Transport {
  // What the push strategies fall back to where the server offers no push.
  const polling = () => new PollTransport(settings, "auto");
  switch (settings.strategy) {
    case "poll":
      return new PollTransport(settings, "never");
    case "long-poll":
      return new PollTransport(settings, "always");
    case "auto":
      return polling();
    case "sse":
      return new SseTransport(settings, polling);
    case "websocket":
      return new WebSocketTransport(settings, polling);
  }
}
