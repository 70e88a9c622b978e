// Turns a callback-driven task into an async iterator. The task starts on
// the first `next()` and pushes values as they come. The queue between them
// is bounded: a value pushed as `superseded`-able is dropped when a newer one
// arrives before the consumer took it, so a slow consumer sees the newest
// value and the task never waits on it (a wait keeps its own pace). A value
// pushed with `keep` (a wait's final update) is never dropped.
//
// The iteration ends when the task settles: a rejection is thrown from
// `next()` once the kept values are taken. The caller's abort ends it at
// once: queued values are dropped and `next()` rejects with the signal's
// reason. Leaving early (`break`, `return()`) aborts the task with a private
// reason. Either way the iterator waits for the task to settle, so nothing
// is left running.

/** Queues a value for the consumer; `keep` says it must never be dropped. */
export type Push<T> = (value: T, keep: boolean) => void;

/**
 * Runs `task` lazily and yields what it pushes, holding at most one value
 * that may be dropped (plus those pushed with `keep`). `signal`, if given,
 * is linked to the task's own.
 */
export function pushIterator<T>(
  task: (push: Push<T>, signal: AbortSignal) => Promise<unknown>,
  signal: AbortSignal | undefined,
): AsyncIterableIterator<T> {
  let queue: { value: T; keep: boolean }[] = [];
  let wake: (() => void) | undefined;
  let settled: Promise<void> | undefined;
  /** Whether the task has settled. */
  let done = false;
  /** Whether the iteration has ended for the consumer. */
  let closed = false;
  let failure: { error: unknown } | undefined;
  const controller = new AbortController();
  const leaving = new Error("The iteration was ended by its consumer");

  const onAbort = () => {
    queue = [];
    controller.abort(signal?.reason);
    wake?.();
  };
  const start = (): Promise<void> => {
    signal?.addEventListener("abort", onAbort, { once: true });
    const push: Push<T> = (value, keep) => {
      if (controller.signal.aborted) return;
      queue = queue.filter((queued) => queued.keep);
      queue.push({ value, keep });
      wake?.();
    };
    return task(push, controller.signal).then(
      () => {},
      (error) => {
        if (error !== leaving) failure = { error };
      },
    ).finally(() => {
      done = true;
      signal?.removeEventListener("abort", onAbort);
      wake?.();
    });
  };

  /** Ends the iteration: nothing more is yielded or thrown. */
  const finish = (): void => {
    queue = [];
    closed = true;
    failure = undefined;
  };

  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T, undefined>> {
      if (closed) return { value: undefined, done: true };
      if (!signal?.aborted) settled ??= start();
      while (queue.length === 0 && !done && !signal?.aborted) {
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
      }
      if (signal?.aborted) {
        await settled;
        finish();
        throw signal.reason;
      }
      const next = queue.shift();
      if (next !== undefined) return { value: next.value, done: false };
      const thrown = failure;
      finish();
      if (thrown !== undefined) throw thrown.error;
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<T, undefined>> {
      queue = [];
      if (settled !== undefined && !done) {
        controller.abort(leaving);
        await settled;
      }
      finish();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
