// What a wait or a check is about: a job (an id, or a job from
// `createJob()`) turned into the status URL to ask, checked against the
// origin policy.

import type { WaitTarget } from "./engine.ts";
import type { ClientSettings } from "./settings.ts";
import type { Job } from "./types.ts";
import { parseUrl } from "./url.ts";
import { jobUrl } from "../protocol/dialects/route.ts";

/** The target of a job: an id on the server (the dialect's status path), or a created job's URL. */
export function targetOf(
  settings: Pick<ClientSettings, "serverUrl" | "dialect" | "origins">,
  job: string | Job,
): WaitTarget {
  if (typeof job === "string") {
    if (job === "") {
      throw new TypeError("Cannot wait for a job as its id is empty");
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
  const url = parseUrl("wait for a job", "job.url", job.url);
  if (settings.origins.reach(url) === "refused") {
    throw new TypeError(
      `Cannot wait for a job as 'job.url' must be on the origin of 'serverUrl' or 'statusUrl' or of an entry of 'allowedOrigins': current value is ${url.href}`,
    );
  }
  return {
    url: url.href,
    startedAt: job.createdAt,
    final: job.final,
    jobId: job.id,
  };
}
