/**
 * Reading `text/event-stream` (the HTML standard's server-sent events) over
 * fetch streaming, so push works where `EventSource` does not exist (Node,
 * workers) and with custom headers.
 *
 * @module
 */

/** One dispatched server-sent event. */
export interface ServerSentEvent {
  /** The event type; `"message"` when the stream named none. */
  event: string;
  /** The event's data lines, joined with `"\n"`. */
  data: string;
  /** The stream's last event id so far (it carries over events that set none), or `undefined`. */
  id: string | undefined;
  /** The reconnection time in milliseconds the stream last set with `retry:`, or `undefined`. */
  retry: number | undefined;
}

/**
 * Yields the events of an event stream as the HTML standard's parser would
 * dispatch them. `onActivity` is called on every chunk received, comments
 * (heartbeats) included.
 *
 * @example
 * ```ts
 * import { readServerSentEvents } from "./sse.ts";
 * import assert from "node:assert/strict";
 *
 * const body = new Response("retry: 3000\nid: 7\nevent: status\ndata: {}\n\n").body!;
 * const events = await Array.fromAsync(readServerSentEvents(body));
 * assert.deepEqual(events, [{ event: "status", data: "{}", id: "7", retry: 3000 }]);
 * ```
 *
 * @param stream The response body.
 * @param onActivity Called whenever a chunk arrives.
 * @returns The events, in order.
 */
export async function* readServerSentEvents(
  stream: ReadableStream<Uint8Array>,
  onActivity: () => void = () => {},
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  let retry: number | undefined;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      onActivity();
      buffer += decoder.decode(value, { stream: true });
      // A trailing "\r" may be the first half of "\r\n": keep it for later.
      const end = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
      const lines = buffer.slice(0, end).split(/\r\n|\r|\n/);
      buffer = (lines.pop() ?? "") + buffer.slice(end);
      for (const line of lines) {
        if (line === "") {
          if (data.length > 0) {
            yield {
              event: event || "message",
              data: data.join("\n"),
              id,
              retry,
            };
          }
          event = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let fieldValue = colon === -1 ? "" : line.slice(colon + 1);
        if (fieldValue.startsWith(" ")) fieldValue = fieldValue.slice(1);
        if (field === "event") event = fieldValue;
        else if (field === "data") data.push(fieldValue);
        else if (field === "id" && !fieldValue.includes("\0")) id = fieldValue;
        else if (field === "retry" && /^\d+$/.test(fieldValue)) {
          retry = Number(fieldValue);
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
