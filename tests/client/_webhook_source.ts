// An in-test WebhookSource: it keeps the events that arrive before a wait
// listens, replays them, and delivers later ones on a FakeClock, as a
// receiver would hand them over.

import type { WebhookEvent, WebhookSource } from "../../mod.ts";
import type { FakeClock } from "../../testing/fake_clock.ts";
import type { VideoStatus } from "../../protocol/status.ts";

type Listener = (event: WebhookEvent) => void;

/** A WebhookSource under test control. */
export class TestSource implements WebhookSource {
  readonly kept: WebhookEvent[] = [];
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #deliveries = new AbortController();
  /** How many times a wait started listening. */
  listens = 0;

  listen(jobId: string, listener: Listener): () => void {
    this.listens++;
    for (const event of this.kept) {
      if (event.jobId === jobId) listener(event);
    }
    const set = this.#listeners.get(jobId) ?? new Set();
    this.#listeners.set(jobId, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  /** How many waits listen now, to any job. */
  get listening(): number {
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }

  /** Hands the event over now: to the waits listening, else keeps it. */
  deliver(event: WebhookEvent): void {
    const set = this.#listeners.get(event.jobId);
    if (set === undefined || set.size === 0) {
      this.kept.push(event);
      return;
    }
    for (const listener of [...set]) listener(event);
  }

  /** Delivers the event `ms` from now on the clock (stamped then); settles once done or canceled. */
  deliverIn(
    clock: FakeClock,
    ms: number,
    event: Omit<WebhookEvent, "receivedAt">,
  ): Promise<void> {
    return clock.sleep(ms, this.#deliveries.signal).then(
      () => this.deliver({ ...event, receivedAt: clock.now() }),
      () => {},
    );
  }

  /** Cancels the deliveries still planned. */
  close(): void {
    this.#deliveries.abort();
  }
}

/** An event of the default dialect for `jobId` with this status. */
export function event(
  jobId: string,
  result: VideoStatus,
  options: {
    id?: string;
    verified?: boolean;
    receivedAt?: number;
    extra?: Record<string, unknown>;
  } = {},
): WebhookEvent {
  const body = { id: jobId, result, ...options.extra };
  return {
    id: options.id ?? `msg-${jobId}-${result}`,
    jobId,
    reading: { result, status: result, payload: body },
    body,
    verified: options.verified ?? true,
    receivedAt: options.receivedAt ?? 0,
  };
}
