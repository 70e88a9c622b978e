/**
 * What a wait listens to when webhooks are on: a source of events for a job,
 * as a webhook receiver hands them over.
 *
 * @module
 */

import type { Reading } from "../../protocol/dialect.ts";

/**
 * One webhook event, read and (if a secret is configured) verified.
 *
 * @example An event as a receiver hands it over
 * ```ts
 * import type { WebhookEvent } from "@video-status/client";
 *
 * const event: WebhookEvent = {
 *   id: "msg_1",
 *   jobId: "job-1",
 *   reading: { result: "completed", status: "completed", payload: null },
 *   body: { id: "job-1", result: "completed" },
 *   verified: true,
 *   receivedAt: Date.now(),
 * };
 * ```
 */
export interface WebhookEvent {
  /** The `webhook-id` header: the same event delivered twice has the same id. */
  id: string;
  /** The job it is about, as the dialect's `idOf(body)` names it. */
  jobId: string;
  /** The status it carries, as the dialect's `read(body, headers, receivedAt)` reads it. */
  reading: Reading;
  /** The parsed JSON body. */
  body: unknown;
  /** `false` when no secret is configured: the event is only a hint, never trusted as a result. */
  verified: boolean;
  /** The client clock's time when it arrived, in milliseconds. */
  receivedAt: number;
}

/**
 * Where a wait hears webhook events for its job: the receiver implements it.
 *
 * @example A source that replays events kept in memory
 * ```ts
 * import type { WebhookEvent, WebhookSource } from "@video-status/client";
 *
 * const kept: WebhookEvent[] = [];
 * const source: WebhookSource = {
 *   listen(jobId, listener) {
 *     for (const event of kept) if (event.jobId === jobId) listener(event);
 *     return () => {};
 *   },
 * };
 * ```
 */
export interface WebhookSource {
  /**
   * Calls `listener` for each event of `jobId`, first replaying the kept
   * ones (those that arrived before the wait); returns how to stop
   * listening.
   */
  listen(jobId: string, listener: (event: WebhookEvent) => void): () => void;
}
