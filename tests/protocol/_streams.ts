/** A byte stream of these text chunks, then its end. */
export function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

/** A byte stream that never ends, and how many bytes were pulled from it. */
export interface EndlessStream {
  stream: ReadableStream<Uint8Array>;
  /** Bytes handed to the reader so far. */
  pulled(): number;
  /** Whether the reader cancelled it. */
  cancelled(): boolean;
}

/** A stream that yields `chunk` (as UTF-8) forever, one per pull. */
export function endless(chunk: string): EndlessStream {
  const bytes = new TextEncoder().encode(chunk);
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += bytes.byteLength;
      controller.enqueue(bytes.slice());
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

/** A byte stream of these byte chunks, then its end. */
export function bytesOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}
