// A client on a FakeClock and a scripted fetch, recording what it reports.

import { VideoStatusClient, type VideoStatusClientOptions } from "../../mod.ts";
import type { RetryEvent, StatusUpdate } from "../../mod.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import {
  eventStream,
  json,
  scriptedFetch,
  type Step,
} from "../../testing/scripted_fetch.ts";

export const pending = (): Response => json({ result: "pending" });
export const completed = (): Response => json({ result: "completed" });

/** A long-poll answer the server held. */
export const held = (result: string): Response =>
  json({ result }, { headers: { "preference-applied": "wait=30" } });

/** An event stream of status events with these bodies, then its end. */
export function statusStream(bodies: unknown[], prefix = ""): Response {
  const events = bodies.map((body) =>
    `event: status\ndata: ${JSON.stringify(body)}\n\n`
  );
  return eventStream(prefix + events.join(""));
}

/** A client under test and what it did. */
export interface Fixture {
  client: VideoStatusClient;
  clock: FakeClock;
  requests: Request[];
  updates: StatusUpdate[];
  retries: RetryEvent[];
  /** The clock's time of each request, relative to the start. */
  sentAt: number[];
}

/**
 * A client answered by the script, on a FakeClock; `steps` may be made from
 * that clock, for answers that take time.
 */
export function setup(
  steps: Step[] | ((clock: FakeClock) => Step[]),
  options: VideoStatusClientOptions = {},
): Fixture {
  const clock = new FakeClock();
  const fake = scriptedFetch(
    typeof steps === "function" ? steps(clock) : steps,
  );
  const updates: StatusUpdate[] = [];
  const retries: RetryEvent[] = [];
  const sentAt: number[] = [];
  const start = clock.now();
  const client = new VideoStatusClient({
    fetch: (input, init) => {
      sentAt.push(clock.now() - start);
      return fake.fetch(input, init);
    },
    clock,
    jitter: 0,
    strategy: "poll",
    onUpdate: (update) => updates.push(update),
    onRetry: (event) => retries.push(event),
    ...options,
  });
  return { client, clock, requests: fake.requests, updates, retries, sentAt };
}
