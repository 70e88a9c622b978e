// What a wait or a check is on: a job id, a job from `createJob()`, or the
// client's `statusUrl`, made a status URL the client may request.

import type { ClientSettings } from "./settings.ts";
import type { Job } from "./types.ts";
import { parseUrl } from "./url.ts";
import type { WaitTarget } from "./wait_machine.ts";
import { jobUrl } from "../protocol/dialects/route.ts";

/** The target of a job: its id's status URL, a job's checked URL, or `statusUrl` for none. */
export function targetOf(
  settings: Pick<
    ClientSettings,
    "serverUrl" | "statusUrl" | "dialect" | "origins"
  >,
  job: string | Job | undefined,
): WaitTarget {
  if (job === undefined) {
    return { url: settings.statusUrl, startedAt: undefined };
  }
  if (typeof job === "string") {
    if (job === "") {
      throw new TypeError("Cannot wait for a job as its id is empty");
    }
    if (job.trimStart().startsWith("{")) {
      // Not an id: waiting on it would ask the server about a garbled job.
      throw new TypeError(
        "Cannot wait for a job as its id looks like a serialized state: give the state after JSON.parse()",
      );
    }
    return {
      url: jobUrl(settings.serverUrl, settings.dialect, job),
      startedAt: undefined,
      jobId: job,
    };
  }
  if (typeof job?.url !== "string") {
    throw new TypeError(
      "Cannot wait for a job as it must be an id or a job from createJob()",
    );
  }
  return {
    url: allowedUrl(settings, "job.url", job.url),
    startedAt: job.createdAt,
    final: job.final,
    jobId: job.id,
  };
}

/** The URL, checked to be an http(s) URL on an origin the client may request. */
export function allowedUrl(
  settings: Pick<ClientSettings, "origins">,
  name: string,
  value: string,
): string {
  const url = parseUrl("wait for a job", name, value);
  if (settings.origins.reach(url) === "refused") {
    throw new TypeError(
      `Cannot wait for a job as '${name}' must be on the origin of 'serverUrl' or 'statusUrl' or of an entry of 'allowedOrigins': current value is ${url.href}`,
    );
  }
  return url.href;
}
