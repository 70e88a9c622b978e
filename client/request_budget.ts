/**
 * The request budget as an interface: what the client asks of whatever
 * paces its requests. The client's own (in-memory, per client object) is in
 * `budget.ts`; `@video-status/client/redis` has one that many processes share.
 *
 * @module
 */

/**
 * Paces the requests of a client: every status request and `createJob()`
 * takes a ticket first. The client's `budget` option takes one; by default
 * each client has its own, in memory, from `maxRequestsPerSecond`.
 *
 * The contract, which any implementation keeps:
 * - `acquire()` resolves, in the order it was called, once a request may go
 *   without putting more than the budget into any window of one second. It
 *   rejects with `signal.reason` unchanged when the signal aborts first, and
 *   then holds no place.
 * - A ticket holds its place until its request has reached `fetch`
 *   (`sent()`, which counts the request from that moment) or was given up.
 *   The client calls `done()` for every ticket, sent or not, exactly once
 *   after it is finished with it; a ticket not sent is free again then.
 * - `sent()` and `done()` never throw and return at once: a budget that has
 *   to tell a server does so in the background.
 *
 * @example A budget that lets every request go at once and counts them
 * ```ts
 * import { type RequestBudget, VideoStatusClient } from "@video-status/client";
 * import { FakeClock, json, scriptedFetch } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * let sent = 0;
 * const budget: RequestBudget = {
 *   acquire: (signal) => signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve(null),
 *   sent: () => void sent++,
 *   done: () => {},
 * };
 * const { fetch } = scriptedFetch([json({ result: "completed" })]);
 * const client = new VideoStatusClient({ budget, fetch, clock: new FakeClock() });
 * await client.waitForJob("a1");
 * assert.equal(sent, 1);
 * ```
 */
export interface RequestBudget {
  /**
   * Waits for a place in the budget.
   *
   * @param signal Gives the place up and rejects with its reason when it aborts.
   * @returns The ticket to pass to `sent()` and `done()`: opaque to the client.
   */
  acquire(signal?: AbortSignal): Promise<unknown>;
  /**
   * Says that the ticket's request has just gone to `fetch`. The hops of one
   * request (redirects) share its ticket; only the first counts.
   *
   * @param ticket A ticket from `acquire()`.
   */
  sent(ticket: unknown): void;
  /**
   * Ends the ticket, sent or not.
   *
   * @param ticket A ticket from `acquire()`.
   */
  done(ticket: unknown): void;
}
