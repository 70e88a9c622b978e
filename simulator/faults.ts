/**
 * Injected transport faults: a response body that breaks off mid-way, as when
 * a connection is reset.
 *
 * @module
 */

/**
 * Wraps a body so that it delivers its first `cut` bytes and then errors,
 * which the HTTP server turns into a dropped connection. The source is
 * cancelled when the cut is reached or the reader goes away.
 *
 * @example
 * ```ts
 * import { dropAfter } from "./faults.ts";
 * import assert from "node:assert/strict";
 *
 * const source = new Response("hello world").body!;
 * const response = new Response(dropAfter(source, 5));
 * await assert.rejects(response.text());
 * ```
 *
 * @param source The body to cut.
 * @param cut How many bytes to deliver before the error.
 * @returns A stream that errors after `cut` bytes.
 */
export function dropAfter(
  source: ReadableStream<Uint8Array>,
  cut: number,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let sent = 0;
  // A one-line stack: Deno.serve logs every body error, once per reset.
  const reset = (): Error =>
    Object.assign(new Error("Simulated connection reset"), {
      stack: "Simulated connection reset (--reset-rate)",
    });
  return new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      for (;;) {
        if (sent >= cut) {
          await reader.cancel().catch(() => {});
          controller.error(reset());
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.error(reset());
          return;
        }
        const part = value.subarray(0, cut - sent);
        sent += part.byteLength;
        if (part.byteLength > 0) return controller.enqueue(part);
      }
    },
    cancel(reason): Promise<void> {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
