// A client on a FakeClock and a scripted fetch, recording what it reports.

import { VideoStatusClient, type VideoStatusClientOptions } from "../../mod.ts";
import type { RetryEvent, StatusUpdate } from "../../client.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import {
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
  return new Response(prefix + events.join(""), {
    headers: { "content-type": "text/event-stream" },
  });
}

export function setup(steps: Step[], options: VideoStatusClientOptions = {}) {
  const clock = new FakeClock();
  const fake = scriptedFetch(steps);
  const updates: StatusUpdate[] = [];
  const retries: RetryEvent[] = [];
  /** The clock's time of each request, relative to the start. */
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
