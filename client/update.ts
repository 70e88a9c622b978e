// The update a status heard makes, as every wait and check reports it.

import type { Heard } from "./transport.ts";
import type { StatusUpdate } from "./types.ts";

/** The update a status heard makes; `nextDelay` is left for the wait to plan. */
export function updateOf(
  heard: Heard,
  attempt: number,
  elapsed: number,
  url: string,
): StatusUpdate {
  const update: StatusUpdate = {
    result: heard.result,
    status: heard.status,
    body: heard.body,
    payload: heard.payload,
    attempt,
    elapsed,
    nextDelay: undefined,
    source: heard.source,
    url,
  };
  if (heard.progress !== undefined) update.progress = heard.progress;
  if (heard.error !== undefined) update.error = heard.error;
  return update;
}
