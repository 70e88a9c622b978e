// Turns a callback-driven task into an async iterator. The task starts on
// the first `next()`, pushes values as they come (they queue until pulled),
// and ends the iteration when it settles: a rejection is thrown from
// `next()`. Leaving early (`break`, `return()`) aborts the task with a
// private reason and waits for it to settle, so nothing is left running.

/**
 * Runs `task` lazily and yields what it pushes. `signal`, if given, is
 * linked to the task's own.
 */
export function pushIterator<T>(
  task: (push: (value: T) => void, signal: AbortSignal) => Promise<unknown>,
  signal: AbortSignal | undefined,
): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let settled: Promise<void> | undefined;
  let done = false;
  let failure: { error: unknown } | undefined;
  const controller = new AbortController();
  const leaving = new Error("The iteration was ended by its consumer");

  const start = (): Promise<void> => {
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const push = (value: T) => {
      queue.push(value);
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

  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T, undefined>> {
      settled ??= start();
      while (queue.length === 0 && !done) {
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
      }
      if (queue.length > 0) return { value: queue.shift()!, done: false };
      if (failure !== undefined) {
        const { error } = failure;
        failure = undefined;
        throw error;
      }
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<T, undefined>> {
      queue.length = 0;
      if (settled !== undefined && !done) {
        controller.abort(leaving);
        await settled;
      }
      done = true;
      failure = undefined;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
