// A scripted stand-in for fetch: each call takes the next step of the script
// and records the request, so tests can assert what was sent.

export type Step =
  | Response
  | Error
  | ((request: Request) => Response | Promise<Response>);

export interface FakeFetch {
  fetch: typeof fetch;
  /** Every request received, in order. */
  requests: Request[];
}

/**
 * Answers the calls with the steps in order; the last step repeats. An Error
 * step rejects like a network failure. Every call honours its abort signal.
 */
export function scriptedFetch(steps: Step[]): FakeFetch {
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

/** A JSON response. */
export function json(
  body: unknown,
  init: ResponseInit = {},
): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { ...init, headers });
}

/** A request that never answers until it is aborted. */
export function hang(request: Request): Promise<Response> {
  return new Promise((_, reject) => {
    request.signal.addEventListener(
      "abort",
      () => reject(request.signal.reason),
      { once: true },
    );
  });
}

/** An event stream of the given text, sent in one piece. */
export function eventStream(text: string): Response {
  return new Response(text, {
    headers: { "content-type": "text/event-stream" },
  });
}

/**
 * A fetch that hands each request to an in-process handler (such as the
 * simulator's) and honours the abort signal like a network fetch would.
 */
export function handlerFetch(
  handler: (request: Request) => Promise<Response>,
): FakeFetch {
  return scriptedFetch([(request) => handler(request)]);
}
