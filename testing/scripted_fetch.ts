/**
 * A scripted stand-in for `fetch`: each call takes the next step of a
 * script and records the request, so a test can assert what was sent. Pass
 * its `fetch` to `VideoStatusClient` along with a `FakeClock`.
 *
 * @module
 */

/**
 * One step of a script: a response to answer with (a fresh clone each
 * time), an error to reject with (as a network failure does), or a function
 * that answers the request it is given.
 *
 * @example A response, a network failure and a handler
 * ```ts
 * import { json, type Step } from "@video-status/client/testing";
 *
 * const steps: Step[] = [
 *   new TypeError("connection refused"),
 *   (request) => json({ result: "pending", asked: request.url }),
 *   json({ result: "completed" }),
 * ];
 * ```
 */
export type Step =
  | Response
  | Error
  | ((request: Request) => Response | Promise<Response>);

/**
 * What {@linkcode scriptedFetch} returns.
 *
 * @example Inspect what was sent
 * ```ts
 * import { json, type ScriptedFetch, scriptedFetch } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const scripted: ScriptedFetch = scriptedFetch([json({ result: "completed" })]);
 * await scripted.fetch("http://x.test/status", { headers: { accept: "application/json" } });
 * assert.equal(scripted.requests[0].headers.get("accept"), "application/json");
 * ```
 */
export interface ScriptedFetch {
  /** The stand-in to pass as the client's `fetch`. */
  fetch: typeof fetch;
  /** Every request received, in order. */
  requests: Request[];
}

/**
 * Answers the calls with the steps in order; the last step repeats. Every
 * call honours its abort signal as a network fetch does: it rejects with
 * `signal.reason`, and so does reading a body after the abort.
 *
 * @example Script a job that is pending once, then completes
 * ```ts
 * import { VideoStatusClient } from "@video-status/client";
 * import { FakeClock, json, scriptedFetch } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const { fetch, requests } = scriptedFetch([
 *   json({ result: "pending" }),
 *   json({ result: "completed", video_url: "https://cdn.test/1.mp4" }),
 * ]);
 * const client = new VideoStatusClient({ fetch, clock: new FakeClock(), strategy: "poll" });
 * const final = await client.waitForJob("job-1");
 * assert.equal(final.body.video_url, "https://cdn.test/1.mp4");
 * assert.equal(requests.length, 2);
 * ```
 *
 * @example Hand every request to an in-process handler
 * ```ts
 * import { scriptedFetch } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const { fetch } = scriptedFetch([(request) => new Response(new URL(request.url).pathname)]);
 * assert.equal(await (await fetch("http://x.test/jobs/7")).text(), "/jobs/7");
 * ```
 *
 * @param steps The script; it must not be empty.
 * @returns The stand-in fetch and the requests it received.
 * @throws {RangeError} If `steps` is empty.
 */
export function scriptedFetch(steps: Step[]): ScriptedFetch {
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new RangeError(
      "Cannot create a scripted fetch as 'steps' must be a non-empty array: current value is " +
        (Array.isArray(steps) ? "an empty array" : String(steps)),
    );
  }
  const requests: Request[] = [];
  let index = 0;
  const fetchFn = (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    const step = steps[Math.min(index++, steps.length - 1)];
    const signal = init?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const answer = (async () => {
      if (step instanceof Error) throw step;
      if (step instanceof Response) return step.clone();
      return await step(request);
    })();
    if (!signal) return answer;
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      answer.then(
        (response) => resolve(abortableBody(response, signal)),
        reject,
      )
        .finally(() => signal.removeEventListener("abort", onAbort));
    });
  };
  return { fetch: fetchFn as typeof fetch, requests };
}

/**
 * The response with a body that errors with the signal's reason when it
 * aborts, as a network fetch's body does.
 */
function abortableBody(response: Response, signal: AbortSignal): Response {
  const source = response.body;
  if (source === null) return response;
  const reader = source.getReader();
  const onAbort = () => reader.cancel(signal.reason).catch(() => {});
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal.addEventListener("abort", () => {
        controller.error(signal.reason);
        onAbort();
      }, { once: true });
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * A JSON response, with `content-type: application/json` and the given
 * status and headers.
 *
 * @example A rate-limited answer
 * ```ts
 * import { json } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const response = json({ error: "slow down" }, { status: 429, headers: { "retry-after": "2" } });
 * assert.equal(response.status, 429);
 * assert.equal(response.headers.get("content-type"), "application/json");
 * ```
 *
 * @param body Any JSON-serialisable value.
 * @param init Status, status text and headers.
 * @returns The response.
 */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { ...init, headers });
}

/**
 * A step that never answers until its request is aborted, then rejects with
 * the abort reason: a server that accepted the connection and went silent.
 *
 * @example A request that times out
 * ```ts
 * import { hang, scriptedFetch } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const { fetch } = scriptedFetch([hang]);
 * const controller = new AbortController();
 * const answer = fetch("http://x.test/status", { signal: controller.signal });
 * controller.abort(new Error("gave up"));
 * await assert.rejects(answer, { message: "gave up" });
 * ```
 *
 * @param request The request to hold.
 * @returns A promise that only ever rejects.
 */
export function hang(request: Request): Promise<Response> {
  return new Promise((_, reject) => {
    request.signal.addEventListener(
      "abort",
      () => reject(request.signal.reason),
      { once: true },
    );
  });
}

/**
 * A `text/event-stream` response of the given text, sent in one piece and
 * then closed.
 *
 * @example Two status events
 * ```ts
 * import { eventStream } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const response = eventStream(
 *   'event: status\ndata: {"result":"pending"}\n\n' +
 *     'event: status\ndata: {"result":"completed"}\n\n',
 * );
 * assert.equal(response.headers.get("content-type"), "text/event-stream");
 * ```
 *
 * @param text The stream's text, in the event-stream format.
 * @returns The response.
 */
export function eventStream(text: string): Response {
  return new Response(text, {
    headers: { "content-type": "text/event-stream" },
  });
}
