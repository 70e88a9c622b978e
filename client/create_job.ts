// Creating a job: one POST to the dialect's create path, never retried, as
// creating is not idempotent. The answer names the job (its id, or a
// Location), and may already hold its final status.

import { parseJsonObject, parseStatus } from "./answer.ts";
import type { RequestBudget } from "./request_budget.ts";
import { HTTPError, ProtocolError, RequestTimeoutError } from "./errors/mod.ts";
import type { ClientSettings } from "./settings.ts";
import {
  LinkedSignal,
  readText,
  send,
  type SendSettings,
  target,
} from "./request.ts";
import { updateOf } from "./update.ts";
import type { CreateJobOptions, FinalUpdate, Job } from "./types.ts";
import { joinPath, parseUrl, redact } from "./url.ts";
import { jobUrl } from "../protocol/dialects/route.ts";
import { isFinalStatus } from "../protocol/status.ts";
import { assertFiniteAtLeast, show } from "../util/validate.ts";

/** What creating a job needs of the client. */
export type CreateJobSettings =
  & Pick<
    ClientSettings,
    "clock" | "requestTimeout" | "serverUrl" | "dialect" | "longPollWait"
  >
  & SendSettings
  & { budget: RequestBudget };

/** Sends `POST {serverUrl}{createPath}` with the script, and returns the job. */
export async function createJob(
  settings: CreateJobSettings,
  options: CreateJobOptions,
): Promise<Job> {
  const { duration, outcome, callbackUrl, signal } = options;
  const script: Record<string, unknown> = {};
  if (duration !== undefined) {
    assertFiniteAtLeast("job", "duration", duration, 0);
    script.duration = duration / 1000;
  }
  if (outcome !== undefined) {
    if (outcome !== "completed" && outcome !== "error") {
      throw new TypeError(
        `Cannot create job as 'outcome' must be "completed" or "error": current value is ${
          String(outcome)
        }`,
      );
    }
    script.outcome = outcome;
  }
  if (callbackUrl !== undefined) {
    script.callback_url = parseUrl("create a job", "callbackUrl", callbackUrl)
      .href;
  }
  const { clock, budget, requestTimeout, dialect } = settings;
  if (dialect.createPath === undefined) {
    throw new TypeError(
      `Cannot create a job as the dialect ${
        show(dialect.name)
      } has no 'createPath': create it with the API itself and wait for its id or URL`,
    );
  }
  const headers: Record<string, string> = {};
  let timeout = requestTimeout;
  if (dialect.preferWait) {
    // The server may hold the create until the job ends (Replicate: up to
    // 60 s), so a short job needs no poll at all.
    const seconds = Math.min(
      MAX_CREATE_WAIT,
      Math.floor(settings.longPollWait / 1000),
    );
    headers.prefer = `wait=${seconds}`;
    timeout += seconds * 1000;
  }
  const url = joinPath(settings.serverUrl, dialect.createPath);
  const label = { method: "POST", url: redact(url) };
  const ticket = await budget.acquire(signal);
  const link = new LinkedSignal(
    clock,
    signal,
    timeout,
    () => new RequestTimeoutError(timeout, label),
  );
  let createdAt = 0;
  let response: Response;
  let answeredBy: string;
  let text: string;
  try {
    const outgoing = {
      method: "POST" as const,
      url,
      defaults: { "content-type": "application/json" },
      headers,
      body: JSON.stringify(script),
      label,
    };
    ({ response, url: answeredBy } = await send(
      settings,
      outgoing,
      link,
      () => {
        budget.sent(ticket);
        createdAt = clock.now();
      },
    ));
    text = await readText(response, link);
  } finally {
    link.close();
    // A place whose request never went goes back to the budget.
    budget.done(ticket);
  }
  const receivedAt = clock.now();
  // The server's words go into errors: an echoed key must not.
  const shown = settings.secrets.hide(text);
  if (!response.ok) throw new HTTPError(response, "POST", label.url, shown);
  const body = parseJsonObject(text);
  const location = response.headers.get(dialect.locationHeader ?? "location");
  // A job on an origin the client was not configured for could take the
  // waits for it, and their headers, anywhere.
  const located = location === null ? undefined : target(
    settings.origins,
    location,
    new URL(answeredBy),
    "use the created job's Location",
    label,
  );
  const id = (body === undefined ? undefined : dialect.idOf(body)) ??
    (located === undefined ? undefined : dialect.jobId(located));
  if (id === undefined || id === "") {
    throw new ProtocolError(
      `Expected a job with an id the dialect ${show(dialect.name)} reads`,
      shown.slice(0, 1024),
      label,
    );
  }
  const jobUrlOf = located?.href ?? jobUrl(settings.serverUrl, dialect, id);
  const job: Job = { id, url: jobUrlOf, result: "pending", createdAt };
  // An answer without a status (HeyGen's names only the id) is a job that
  // has just begun; a word the dialect does not know is thrown.
  const parsed = parseStatus(
    text,
    { dialect, headers: response.headers, now: receivedAt },
    label,
    settings.secrets,
  );
  if (parsed instanceof ProtocolError) return job;
  job.result = parsed.result;
  job.status = parsed.status;
  if (isFinalStatus(parsed.result)) {
    const applied = response.headers.get("preference-applied") ?? "";
    job.final = updateOf(
      {
        ...parsed,
        source: /(^|[\s,;])wait\s*=/i.test(applied) ? "long-poll" : "poll",
        sentAt: createdAt,
        receivedAt,
        streaming: false,
        held: false,
        retryAfter: undefined,
      },
      0,
      receivedAt - createdAt,
      redact(jobUrlOf),
    ) as FinalUpdate;
  }
  return job;
}

// The longest hold Replicate grants a create (`Prefer: wait=N`, N ≤ 60).
const MAX_CREATE_WAIT = 60;
