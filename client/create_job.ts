// Creating a job on the simulator: one POST, never retried, as creating is
// not idempotent.

import { parseJsonObject } from "./answer.ts";
import type { RequestBudget } from "./budget.ts";
import { HTTPError, ProtocolError, RequestTimeoutError } from "./errors/mod.ts";
import type { ClientSettings } from "./options.ts";
import {
  LinkedSignal,
  readText,
  send,
  type SendSettings,
  target,
} from "./request.ts";
import type { CreateJobOptions, Job } from "./types.ts";
import { joinPath, redact } from "./url.ts";
import { isVideoStatus } from "../protocol/status.ts";
import { assertFiniteAtLeast } from "../util/validate.ts";

/** What creating a job needs of the client. */
export type CreateJobSettings =
  & Pick<ClientSettings, "clock" | "requestTimeout" | "serverUrl">
  & SendSettings
  & { budget: RequestBudget };

/** Sends `POST {serverUrl}/jobs` with the script, and returns the job. */
export async function createJob(
  settings: CreateJobSettings,
  options: CreateJobOptions,
): Promise<Job> {
  const { duration, outcome, signal } = options;
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
  const { clock, budget, requestTimeout } = settings;
  const ticket = await budget.take(signal);
  const url = joinPath(settings.serverUrl, "/jobs");
  const label = { method: "POST", url: redact(url) };
  const link = new LinkedSignal(
    clock,
    signal,
    requestTimeout,
    () => new RequestTimeoutError(requestTimeout, label),
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
      body: JSON.stringify(script),
      label,
    };
    ({ response, url: answeredBy } = await send(
      settings,
      outgoing,
      link,
      () => {
        budget.sending(ticket);
        createdAt = clock.now();
      },
    ));
    text = await readText(response, link);
  } finally {
    link.close();
  }
  // The server's words go into errors: an echoed key must not.
  const shown = settings.secrets.hide(text);
  if (!response.ok) throw new HTTPError(response, "POST", label.url, shown);
  const body = parseJsonObject(text);
  const id = body?.id;
  const result = body?.result;
  if (typeof id !== "string" || id === "" || !isVideoStatus(result)) {
    throw new ProtocolError(
      "Expected a job with a string 'id' and a known 'result'",
      shown.slice(0, 1024),
      label,
    );
  }
  const location = response.headers.get("location");
  // A job on an origin the client was not configured for could take the
  // waits for it, and their headers, anywhere.
  const jobUrl = location === null
    ? joinPath(settings.serverUrl, `/jobs/${encodeURIComponent(id)}`)
    : target(
      settings.origins,
      location,
      new URL(answeredBy),
      "use the created job's Location",
      label,
    ).href;
  return { id, url: jobUrl, result, createdAt };
}
