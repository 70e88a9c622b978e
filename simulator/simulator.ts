/**
 * The simulation server as a pure request handler: `fetch(Request)` in,
 * `Response` out, with an injectable clock and random source. No sockets and
 * no runtime APIs here; see `serve.ts` and `adapters/` for those. This file
 * builds the shared state and dispatches; each route lives in `routes/`.
 *
 * @module
 */

import { systemClock } from "../timing/clock.ts";
import { Scheduler } from "../timing/scheduler.ts";
import { seededRandom } from "../util/random.ts";
import { assertFunction, shorten } from "../util/validate.ts";
import { closedResponse, goneResponse } from "./answers.ts";
import type { SimulatorContext } from "./context.ts";
import { authorize } from "./auth.ts";
import { resolveDialectOptions } from "./dialect_options.ts";
import { Heartbeat } from "./events.ts";
import { Holds } from "./holds.ts";
import { errorResponse, optionsResponse, withCors } from "./http.ts";
import { JobFactory } from "./job_factory.ts";
import { JobStore } from "./jobs.ts";
import { resolveOptions, type SimulatorOptions } from "./options.ts";
import { RateLimiter } from "./rate_limiter.ts";
import { route } from "./router.ts";
import { streamEvents } from "./routes/events.ts";
import { openPush, type WebSocketUpgrade } from "./push.ts";
import { cancelJob } from "./routes/cancel.ts";
import { createJob } from "./routes/jobs.ts";
import { answerStatus } from "./routes/status.ts";
import { resolveWebhookOptions } from "./webhook_options.ts";
import { WebhookSender } from "./webhooks.ts";

export type { CreatedJob, SimulatorOptions } from "./options.ts";
export type { SimulatorWebhookOptions } from "./webhook_options.ts";
export type { ByteChannel, WebSocketUpgrade } from "./push.ts";

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
  /** Long-polls, event streams, WebSockets and latency waits currently held. */
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
   * Answers a request that asks for a WebSocket (`Upgrade: websocket`) on a
   * job's status (`/`, `/status`, `/jobs/{id}`): the upgrade to run on the
   * connection's bytes, or the response that refuses it (the same `404`,
   * `429`, `503` as `GET`, a `400` or `426` for a bad handshake, a `404` when
   * legacy). {@linkcode serve} calls it; `fetch` answers such a request as a
   * plain `GET`. Never rejects.
   *
   * @param request The upgrade request.
   * @param info Connection details, such as the client's address.
   * @returns The upgrade, or the response.
   */
  upgrade(
    request: Request,
    info?: SimulatorRequestInfo,
  ): Promise<WebSocketUpgrade | Response>;
  /**
   * Tells what the simulator currently holds.
   *
   * @returns The counters.
   */
  stats(): SimulatorStats;
  /**
   * Answers every held long-poll with the current status, ends every event
   * stream, closes every WebSocket (1001), clears the timer, cancels every
   * callback not yet delivered, and answers later requests with `503`.
   *
   * @returns A promise that resolves once everything is released.
   */
  close(): Promise<void>;
}

/**
 * Creates a simulator of the video translation status API, or of another
 * job API when `dialect` names one.
 *
 * - `GET /status`: the default job, whose clock starts now.
 * - `POST /jobs` (and `POST` at the dialect's create path, if it has one):
 *   creates a job (`201`, its status path as `Location` and as the
 *   dialect's `locationHeader`); an optional JSON body `{"duration":
 *   seconds, "outcome": "completed" | "error" | "canceled"}` scripts it,
 *   and `"callback_url"` asks for a callback when it ends (see
 *   {@linkcode SimulatorWebhookOptions}).
 *   Where the dialect has `preferWait`, `Prefer: wait=N` holds the answer
 *   until the job ends or N seconds (at most 60) pass.
 * - The dialect's job path (`GET /jobs/{id}` in `video-status`): a job's
 *   status as the dialect writes it (progress from the time elapsed, a fake
 *   video URL, error details); the seed dialect also answers at
 *   `GET /status/{id}` and `GET /status?job_id={id}`.
 * - The dialect's cancel path, if it has one (`POST /jobs/{id}/cancel` in
 *   `video-status`): ends a pending job at once as canceled.
 * - `GET /status/events` and the job path plus `/events`: Server-Sent Events.
 * - `Prefer: wait=N` on the status paths holds the answer until the job is
 *   final or N seconds pass (long-poll), at most `maxWait` milliseconds.
 * - A WebSocket upgrade on `/`, `/status` or `/jobs/{id}` (through
 *   {@linkcode Simulator.upgrade}) pushes the same JSON at once, on each
 *   change, and every `heartbeatInterval`, then closes after the final one.
 * - With `apiKey`, every request but a preflight must carry the key in the
 *   dialect's auth header, or gets `401`.
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
 *     body: JSON.stringify({ duration: 0, outcome: "completed" }),
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
 * @throws {TypeError} When an option has the wrong type or an old name, the
 * dialect is unknown, or `apiKey` is given for a dialect without an auth
 * header.
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const config = resolveOptions(options);
  const { dialect, key } = resolveDialectOptions(options);
  const webhookConfig = resolveWebhookOptions(options, dialect.webhookScheme);
  const clock = options.clock ?? systemClock;
  assertFunction("the simulator", "onJobCreated", options.onJobCreated, true);
  const random = options.random ??
    (config.seed === undefined ? Math.random : seededRandom(config.seed));
  const scheduler = new Scheduler(clock);
  const jobs = new JobFactory(config, clock, random);
  const context: SimulatorContext = {
    config,
    dialect,
    key,
    clock,
    random,
    scheduler,
    heartbeat: new Heartbeat(scheduler, clock, config.heartbeatInterval),
    store: new JobStore(config.maxJobs),
    jobs,
    defaultJob: jobs.draw("default"),
    holds: new Holds(scheduler),
    webhookConfig,
    webhooks: new WebhookSender(webhookConfig, clock, random),
    onJobCreated: options.onJobCreated,
  };
  const limiter = config.rateLimit === Infinity
    ? undefined
    : new RateLimiter(config.rateLimit);

  const fetch = async (
    request: Request,
    info?: SimulatorRequestInfo,
  ): Promise<Response> => {
    let response: Response;
    try {
      response = await handle(
        context,
        limiter,
        request,
        info,
        false,
      ) as Response;
    } catch {
      response = errorResponse(500, "Cannot answer as the simulator failed");
    }
    if (request.method === "HEAD" && response.body !== null) {
      // The length the GET body would have, as RFC 9110 lets a HEAD answer
      // tell, whatever adapter serves it (a status body is small).
      const length = (await response.arrayBuffer()).byteLength;
      response = new Response(null, response);
      response.headers.set("Content-Length", String(length));
    }
    return withCors(response);
  };

  const close = async (): Promise<void> => {
    if (!context.holds.closed) {
      context.holds.close();
      scheduler.close();
    }
    await context.webhooks.close();
  };

  const upgrade = async (
    request: Request,
    info?: SimulatorRequestInfo,
  ): Promise<WebSocketUpgrade | Response> => {
    try {
      return await handle(context, limiter, request, info, true);
    } catch {
      return errorResponse(500, "Cannot answer as the simulator failed");
    }
  };

  return {
    fetch,
    upgrade,
    stats: (): SimulatorStats => ({
      jobs: context.store.size,
      held: context.holds.size,
      scheduled: scheduler.size,
      clients: limiter?.size ?? 0,
    }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Answers one request: latency, routing, `OPTIONS`, rate limit, method
 * check and injected faults, then the route; with `upgrade`, a WebSocket on
 * a status route.
 */
async function handle(
  context: SimulatorContext,
  limiter: RateLimiter | undefined,
  request: Request,
  info: SimulatorRequestInfo | undefined,
  upgrade: boolean,
): Promise<Response | WebSocketUpgrade> {
  const { config, clock, holds, random } = context;
  if (holds.closed) return closedResponse();
  if (config.maxLatency > 0) {
    const latency = config.minLatency +
      Math.round(random() * (config.maxLatency - config.minLatency));
    const end = await holds.hold(clock.now() + latency, request.signal);
    if (end === "aborted") return goneResponse();
    if (holds.closed) return closedResponse();
  }
  const url = new URL(request.url);
  const path = url.pathname;
  // A WebSocket also listens on `/`, for the default job; none when legacy.
  if (upgrade && path === "/") url.pathname = "/status";
  const target = upgrade && config.legacy
    ? undefined
    : route(url, context.dialect, config.legacy);
  if (target === undefined) {
    return errorResponse(404, `Cannot find path '${shorten(path)}'`);
  }
  if (request.method === "OPTIONS") {
    return optionsResponse(request, target.allow);
  }
  if (limiter !== undefined) {
    const wait = limiter.take(info?.remoteAddr?.hostname ?? "", clock.now());
    if (wait > 0) {
      return errorResponse(
        429,
        `Cannot answer as the rate limit of ${config.rateLimit} requests per second is exceeded`,
        { "Retry-After": String(wait) },
      );
    }
  }
  const refused = context.key === undefined
    ? undefined
    : authorize(request, context.key);
  if (refused !== undefined) return refused;
  if (!target.allow.split(", ").includes(request.method)) {
    return errorResponse(
      405,
      `Cannot ${shorten(request.method)} '${
        shorten(path)
      }' as it allows ${target.allow}`,
      { "Allow": target.allow },
    );
  }
  if (target.kind === "jobs") return await createJob(context, request);
  if (config.faultRate > 0 && random() < config.faultRate) {
    return random() < 0.5
      ? errorResponse(500, "Simulated server error")
      : errorResponse(503, "Simulated service unavailable", {
        "Retry-After": "1",
      });
  }
  const job = target.id === undefined
    ? context.defaultJob
    : context.store.get(target.id);
  if (job === undefined) {
    return errorResponse(404, `Cannot find job '${shorten(target.id!)}'`);
  }
  // A WebSocket upgrade is a GET, which the method check refused.
  if (target.kind === "job-cancel") return cancelJob(context, job);
  if (target.kind === "status-events" || target.kind === "job-events") {
    return upgrade
      ? errorResponse(404, `Cannot open a WebSocket on '${shorten(path)}'`)
      : streamEvents(context, request, job);
  }
  if (upgrade) return await openPush(context, request, job);
  return await answerStatus(context, request, job);
}
