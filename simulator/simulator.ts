/**
 * The simulation server as a pure request handler: `fetch(Request)` in,
 * `Response` out, with an injectable clock and random source. No sockets here;
 * see `serve.ts` for that.
 *
 * @module
 */

import type { VideoStatus } from "../protocol/status.ts";
import { type SimulatorClock, systemClock } from "./clock.ts";
import { formatStatusEvent, Heartbeat, HEARTBEAT_COMMENT } from "./events.ts";
import { dropAfter } from "./faults.ts";
import {
  errorResponse,
  jsonResponse,
  optionsResponse,
  readBody,
  withCors,
} from "./http.ts";
import { parseJobRequest } from "./job_request.ts";
import { Job, JobStore } from "./jobs.ts";
import { resolveOptions, type SimulatorOptions } from "./options.ts";
import {
  formatAppliedWait,
  parsePreferWait,
  retryAfterHint,
} from "../protocol/prefer.ts";
import { seededRandom } from "../util/random.ts";
import { RateLimiter } from "./rate_limiter.ts";
import { Scheduler } from "../timing/scheduler.ts";

export type { SimulatorOptions } from "./options.ts";
export type { SimulatorClock } from "./clock.ts";

/**
 * The largest `POST /jobs` body accepted, in bytes (64 KiB); a larger one is
 * answered with `413`.
 *
 * @example
 * ```ts
 * import { MAX_BODY_BYTES } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_BODY_BYTES, 64 * 1024);
 * ```
 */
export const MAX_BODY_BYTES = 65_536;

/**
 * Connection details a server passes along with a request.
 *
 * @example Count a request against a client's rate limit
 * ```ts
 * import { createSimulator, type SimulatorRequestInfo } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator({ rateLimit: 1 });
 * const info: SimulatorRequestInfo = { remoteAddr: { hostname: "10.0.0.7" } };
 * const request = () => simulator.fetch(new Request("http://localhost/status"), info);
 * await (await request()).body?.cancel();
 * const second = await request();
 * assert.equal(second.status, 429);
 * await second.body?.cancel();
 * ```
 */
export interface SimulatorRequestInfo {
  /** The client's address; `--rate-limit` counts per `hostname`. */
  readonly remoteAddr?: { readonly hostname: string };
}

/**
 * Counters that show what the simulator holds, for tests and monitoring.
 *
 * @example
 * ```ts
 * import { createSimulator, type SimulatorStats } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator();
 * const stats: SimulatorStats = simulator.stats();
 * assert.deepEqual(stats, { jobs: 0, held: 0, scheduled: 0, clients: 0 });
 * ```
 */
export interface SimulatorStats {
  /** Jobs stored (created with `POST /jobs`, not evicted). */
  readonly jobs: number;
  /** Long-polls, event streams and latency waits currently held. */
  readonly held: number;
  /** Pending wake-ups on the shared timer. */
  readonly scheduled: number;
  /** Clients tracked by the rate limiter in the current second. */
  readonly clients: number;
}

/**
 * A simulation server, ready to answer requests, as
 * {@linkcode createSimulator} returns it.
 *
 * @example Hand it to any fetch-style server
 * ```ts ignore
 * import { createSimulator } from "@video-status/client/server";
 *
 * const simulator = createSimulator();
 * Deno.serve({ port: 0 }, simulator.fetch);
 * ```
 */
export interface Simulator extends AsyncDisposable {
  /**
   * Answers one request. Never rejects.
   *
   * @param request The request.
   * @param info Connection details, such as the client's address.
   * @returns The response.
   */
  fetch(request: Request, info?: SimulatorRequestInfo): Promise<Response>;
  /**
   * Tells what the simulator currently holds.
   *
   * @returns The counters.
   */
  stats(): SimulatorStats;
  /**
   * Answers every held long-poll with the current status, ends every event
   * stream, clears the timer, and answers later requests with `503`.
   *
   * @returns A promise that resolves once everything is released.
   */
  close(): Promise<void>;
}

type RouteKind = "status" | "status-events" | "jobs" | "job" | "job-events";

interface Route {
  readonly kind: RouteKind;
  readonly id?: string;
  readonly allow: string;
}

type HoldEnd = "finished" | "timeout" | "aborted" | "closed";

const READ = "GET, HEAD, OPTIONS";
const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
const encoder = new TextEncoder();

/**
 * Creates a simulator of the video translation status API.
 *
 * - `GET /status`: the default job, whose clock starts now.
 * - `POST /jobs`: creates a job (`201`, `Location: /jobs/{id}`); an optional
 *   JSON body `{"delay": seconds, "outcome": "completed" | "error"}` scripts it.
 * - `GET /jobs/{id}`: a job's status, `{"id": …, "result": …}`.
 * - `GET /status/events`, `GET /jobs/{id}/events`: Server-Sent Events.
 * - `Prefer: wait=N` on the status paths holds the answer until the job is
 *   terminal or N seconds pass (long-poll), at most `maxWait` milliseconds.
 *
 * @example Create a job that completes at once and read it
 * ```ts
 * import { createSimulator } from "@video-status/client/server";
 * import assert from "node:assert/strict";
 *
 * await using simulator = createSimulator({ seed: 1 });
 * const created = await simulator.fetch(
 *   new Request("http://localhost/jobs", {
 *     method: "POST",
 *     body: JSON.stringify({ delay: 0, outcome: "completed" }),
 *   }),
 * );
 * assert.equal(created.status, 201);
 * const location = created.headers.get("location")!;
 * await created.body?.cancel();
 * const job = await simulator.fetch(new Request(`http://localhost${location}`));
 * assert.equal((await job.json()).result, "completed");
 * ```
 *
 * @param options Timing, faults and injectable clock and random source.
 * @returns The simulator.
 * @throws {RangeError} When an option is out of range.
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const config = resolveOptions(options);
  const clock: SimulatorClock = options.clock ?? systemClock;
  const random = options.random ??
    (config.seed === undefined ? Math.random : seededRandom(config.seed));
  const scheduler = new Scheduler(clock);
  const heartbeat = new Heartbeat(
    scheduler,
    clock,
    config.heartbeatInterval,
  );
  const store = new JobStore(config.maxJobs);
  const limiter = config.rateLimit === Infinity
    ? undefined
    : new RateLimiter(config.rateLimit);
  const holds = new Set<() => void>();
  const now = (): number => clock.now();
  let counter = 0;
  let closed = false;

  const drawJob = (id: string, delay?: number, outcome?: VideoStatus): Job => {
    const duration = delay ??
      config.minDelay + random() * (config.maxDelay - config.minDelay);
    const final = outcome === "completed" || outcome === "error"
      ? outcome
      : random() < config.errorRate
      ? "error"
      : "completed";
    const start = now();
    return new Job(id, start, start + Math.round(duration), final);
  };
  const defaultJob = drawJob("default");

  const newId = (): string => {
    let id = "";
    for (let i = 0; i < 8; i++) {
      id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)] ?? "0";
    }
    return id + (++counter).toString(36).padStart(4, "0");
  };

  // Waits until `until`, the job's finish, an abort, or close(): one entry in
  // the shared scheduler, never a timer of its own.
  const hold = (
    until: number,
    signal: AbortSignal,
    job?: Job,
  ): Promise<HoldEnd> =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve("aborted");
      if (closed) return resolve("closed");
      let done = false;
      const end = (why: HoldEnd): void => {
        if (done) return;
        done = true;
        scheduler.cancel(task);
        unwatch?.();
        signal.removeEventListener("abort", onAbort);
        holds.delete(release);
        resolve(why);
      };
      const onAbort = (): void => end("aborted");
      const release = (): void => end("closed");
      const task = scheduler.schedule(until, () => end("timeout"));
      const unwatch = job?.onFinish(scheduler, () => end("finished"));
      signal.addEventListener("abort", onAbort, { once: true });
      holds.add(release);
    });

  const body = (job: Job): Record<string, string> =>
    job === defaultJob
      ? { result: job.status(now()) }
      : { id: job.id, result: job.status(now()) };

  const hintHeaders = (job: Job): Record<string, string> =>
    !config.legacy && job.status(now()) === "pending"
      ? { "Retry-After": String(retryAfterHint(job.finishAt - now())) }
      : {};

  const closedResponse = (): Response =>
    errorResponse(503, "Cannot answer as the simulator is shutting down", {
      "Retry-After": "1",
      "Connection": "close",
    });

  const busyResponse = (): Response =>
    errorResponse(
      503,
      `Cannot hold the request as ${config.maxHeld} requests are already held`,
      { "Retry-After": "1" },
    );

  // Status 499 ("client closed request") is never seen by anyone: the client
  // has gone; it only lets the handler finish.
  const goneResponse = (): Response => new Response(null, { status: 499 });

  const maybeReset = async (
    response: Response,
    request: Request,
  ): Promise<Response> => {
    if (
      config.resetRate === 0 || request.method !== "GET" ||
      response.body === null || random() >= config.resetRate
    ) return response;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const cut = Math.floor(random() * bytes.byteLength);
    return new Response(dropAfter(new Response(bytes).body!, cut), response);
  };

  const readStatus = async (request: Request, job: Job): Promise<Response> => {
    let applied: number | undefined;
    if (!config.legacy && request.method === "GET" && config.maxWait > 0) {
      const wait = parsePreferWait(request.headers.get("Prefer"));
      if (wait !== undefined) {
        applied = Math.min(wait, config.maxWait);
        if (applied > 0 && job.status(now()) === "pending") {
          if (holds.size >= config.maxHeld) return busyResponse();
          const end = await hold(now() + applied, request.signal, job);
          if (end === "aborted") return goneResponse();
        }
      }
    }
    const headers: Record<string, string> = hintHeaders(job);
    if (!config.legacy) headers["Vary"] = "Prefer";
    if (applied !== undefined) {
      headers["Preference-Applied"] = formatAppliedWait(applied);
    }
    return jsonResponse(200, body(job), headers);
  };

  const streamEvents = (request: Request, job: Job): Response => {
    const headers = {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-store",
    };
    if (request.method === "HEAD") {
      return new Response(null, { status: 200, headers });
    }
    if (holds.size >= config.maxHeld) return busyResponse();
    const first = formatStatusEvent(body(job));
    let cleanup: (() => void) | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start(controller): void {
        controller.enqueue(encoder.encode(first));
        if (job.status(now()) !== "pending" || closed) {
          controller.close();
          return;
        }
        const signal = request.signal;
        let open = true;
        const send = (text: string): void => {
          if (open) controller.enqueue(encoder.encode(text));
        };
        cleanup = (): void => {
          if (!open) return;
          open = false;
          unwatch();
          stopBeat();
          signal.removeEventListener("abort", end);
          holds.delete(end);
        };
        const end = (): void => {
          if (!open) return;
          cleanup?.();
          controller.close();
        };
        const unwatch = job.onFinish(scheduler, () => {
          send(formatStatusEvent(body(job)));
          end();
        });
        const stopBeat = heartbeat.add(() => send(HEARTBEAT_COMMENT));
        signal.addEventListener("abort", end, { once: true });
        holds.add(end);
        if (signal.aborted) end();
      },
      cancel(): void {
        cleanup?.();
      },
    });
    if (
      config.resetRate > 0 && random() < config.resetRate
    ) {
      const cut = Math.floor(random() * encoder.encode(first).byteLength);
      return new Response(dropAfter(stream, cut), { status: 200, headers });
    }
    return new Response(stream, { status: 200, headers });
  };

  const createJob = async (request: Request): Promise<Response> => {
    const read = await readBody(request, MAX_BODY_BYTES);
    if (!read.ok) {
      return read.reason === "too-large"
        ? errorResponse(
          413,
          `Cannot create a job as the body must not exceed ${MAX_BODY_BYTES} bytes`,
        )
        : errorResponse(
          400,
          "Cannot create a job as the body must be readable UTF-8 text",
        );
    }
    const script = parseJobRequest(read.text);
    if (typeof script === "string") return errorResponse(400, script);
    const job = drawJob(newId(), script.delay, script.outcome);
    if (!store.add(job, now())) {
      const wait = Math.ceil(((store.nextFinish() ?? now()) - now()) / 1_000);
      return errorResponse(
        503,
        `Cannot create a job as all ${config.maxJobs} stored jobs are still pending`,
        { "Retry-After": String(Math.max(1, wait)) },
      );
    }
    return jsonResponse(201, body(job), {
      "Location": `/jobs/${job.id}`,
      ...hintHeaders(job),
    });
  };

  const route = (path: string): Route | undefined => {
    if (path === "/status") return { kind: "status", allow: READ };
    if (path === "/jobs") return { kind: "jobs", allow: "POST, OPTIONS" };
    if (!config.legacy && path === "/status/events") {
      return { kind: "status-events", allow: READ };
    }
    const match = /^\/jobs\/([^/]+)(\/events)?$/.exec(path);
    if (match === null) return undefined;
    if (match[2] !== undefined) {
      return config.legacy
        ? undefined
        : { kind: "job-events", id: match[1], allow: READ };
    }
    return { kind: "job", id: match[1], allow: READ };
  };

  const handle = async (
    request: Request,
    info: SimulatorRequestInfo | undefined,
  ): Promise<Response> => {
    if (closed) return closedResponse();
    if (config.maxLatency > 0) {
      const latency = config.minLatency +
        Math.round(random() * (config.maxLatency - config.minLatency));
      const end = await hold(now() + latency, request.signal);
      if (end === "aborted") return goneResponse();
      if (closed) return closedResponse();
    }
    const path = pathOf(request.url);
    const target = route(path);
    if (target === undefined) {
      return errorResponse(404, `Cannot find path '${shorten(path)}'`);
    }
    if (request.method === "OPTIONS") {
      return optionsResponse(request, target.allow);
    }
    if (limiter !== undefined) {
      const wait = limiter.take(info?.remoteAddr?.hostname ?? "", now());
      if (wait > 0) {
        return errorResponse(
          429,
          `Cannot answer as the rate limit of ${config.rateLimit} requests per second is exceeded`,
          { "Retry-After": String(wait) },
        );
      }
    }
    if (!target.allow.split(", ").includes(request.method)) {
      return errorResponse(
        405,
        `Cannot ${request.method} '${
          shorten(path)
        }' as it allows ${target.allow}`,
        { "Allow": target.allow },
      );
    }
    if (target.kind === "jobs") return await createJob(request);
    if (config.faultRate > 0 && random() < config.faultRate) {
      return random() < 0.5
        ? errorResponse(500, "Simulated server error")
        : errorResponse(503, "Simulated service unavailable", {
          "Retry-After": "1",
        });
    }
    const job = target.id === undefined ? defaultJob : store.get(target.id);
    if (job === undefined) {
      return errorResponse(404, `Cannot find job '${shorten(target.id!)}'`);
    }
    if (target.kind === "status-events" || target.kind === "job-events") {
      return streamEvents(request, job);
    }
    return await maybeReset(await readStatus(request, job), request);
  };

  const fetch = async (
    request: Request,
    info?: SimulatorRequestInfo,
  ): Promise<Response> => {
    let response: Response;
    try {
      response = await handle(request, info);
    } catch {
      response = errorResponse(500, "Cannot answer as the simulator failed");
    }
    if (request.method === "HEAD" && response.body !== null) {
      await response.body.cancel();
      response = new Response(null, response);
    }
    return withCors(response);
  };

  const close = (): Promise<void> => {
    if (!closed) {
      closed = true;
      for (const release of [...holds]) release();
      scheduler.close();
    }
    return Promise.resolve();
  };

  return {
    fetch,
    stats: (): SimulatorStats => ({
      jobs: store.size,
      held: holds.size,
      scheduled: scheduler.size,
      clients: limiter?.size ?? 0,
    }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * The path of an absolute URL as a runtime gives it in `Request.url`
 * (already normalised), without parsing it into a URL object.
 */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  let end = url.length;
  const query = url.indexOf("?", start);
  if (query !== -1) end = query;
  const fragment = url.indexOf("#", start);
  if (fragment !== -1 && fragment < end) end = fragment;
  return url.slice(start, end);
}

function shorten(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
