// Reading response bodies without trusting the server: at most `limit` bytes.

/** The largest status or job body the client reads, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a body as UTF-8 text, cancelling the stream and returning what was
 * read so far (with `truncated: true`) once it exceeds `limit` bytes.
 */
export async function readBoundedText(
  response: Response,
  limit: number = MAX_BODY_BYTES,
): Promise<{ text: string; truncated: boolean }> {
  if (response.body === null) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode(), truncated: false };
      bytes += value.byteLength;
      if (bytes > limit) {
        const room = value.byteLength - (bytes - limit);
        text += decoder.decode(value.subarray(0, room));
        await reader.cancel();
        return { text, truncated: true };
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
}
