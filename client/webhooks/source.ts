// client/webhooks/source.ts  (owner: hookwait; what a wait listens to)
import type { Reading } from "../../protocol/dialect.ts";

export interface WebhookEvent {
  id: string; // webhook-id (dedup key)
  jobId: string; // from dialect.idOf(body)
  reading: Reading; // dialect.read(body, headers, receivedAt) (Reading from protocol/dialect.ts)
  body: unknown; // the parsed JSON body
  verified: boolean; // false = no secret configured: only a hint, never trusted as a result
  receivedAt: number; // client clock ms
}
export interface WebhookSource {
  /** Calls `listener` for each event of `jobId`, first replaying the kept ones (arrived before the wait);
   *  returns how to stop listening. */
  listen(jobId: string, listener: (event: WebhookEvent) => void): () => void;
}
