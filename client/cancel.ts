// Canceling a job on the server: one request of the dialect's cancel
// route, never retried (the caller sees why it failed and decides). It
// stops the job, not a wait: a wait on the job hears it end as any other
// final status.

import { HTTPError } from "./errors/mod.ts";
import { type OnceSettings, sendOnce } from "./request.ts";
import type { ClientSettings } from "./settings.ts";
import type { CancelOptions, Job } from "./types.ts";
import { redact } from "./url.ts";
import { cancelRoute } from "../protocol/dialects/cancel.ts";
import { jobUrl } from "../protocol/dialects/route.ts";
import { show } from "../util/validate.ts";

/** What canceling needs of the client. */
export type CancelSettings =
  & Pick<ClientSettings, "serverUrl" | "requestTimeout" | "dialect">
  & OnceSettings;

/** Sends the dialect's cancel request for the job; resolves once the server accepted it. */
export async function cancelJob(
  settings: CancelSettings,
  job: string | Job,
  options: CancelOptions,
): Promise<void> {
  const id = typeof job === "string" ? job : job?.id;
  if (typeof id !== "string" || id === "") {
    throw new TypeError(
      `Cannot cancel a job as it must be a non-empty id or a job from createJob(): current value is ${
        show(job)
      }`,
    );
  }
  const { dialect } = settings;
  const route = cancelRoute(dialect);
  if (route === undefined) {
    throw new TypeError(
      `Cannot cancel a job as the dialect ${
        show(dialect.name)
      } has no 'cancelRequest': its API offers no way to stop a job (abort the wait's signal to stop waiting)`,
    );
  }
  options.signal?.throwIfAborted();
  const { method } = dialect.cancelRequest!;
  const url = jobUrl(settings.serverUrl, route, id);
  const label = { method, url: redact(url) };
  const { response, text } = await sendOnce(
    settings,
    { method, url, defaults: { accept: "application/json" }, label },
    options.signal,
    settings.requestTimeout,
  );
  if (!response.ok) {
    throw new HTTPError(
      response,
      method,
      label.url,
      settings.secrets.hide(text),
    );
  }
}
