/**
 * Which route a path names, and the methods it allows.
 *
 * @module
 */

import type { Dialect } from "../protocol/dialect.ts";
import { cancelRoute } from "../protocol/dialects/cancel.ts";
import { jobRoute } from "../protocol/dialects/route.ts";
import { VIDEO_STATUS } from "../protocol/dialects/video_status.ts";

// The per-job variant of `GET /status` that other implementations use.
const STATUS_ROUTE = jobRoute("/status/{id}");

/**
 * What a request is for: the default job's status or events, job creation, or
 * a created job's status or events.
 *
 * @example
 * ```ts
 * import type { RouteKind } from "./router.ts";
 *
 * const kind: RouteKind = "job-events";
 * ```
 */
export type RouteKind =
  | "status"
  | "status-events"
  | "jobs"
  | "job"
  | "job-events"
  | "job-cancel";

/**
 * A matched route.
 *
 * @example
 * ```ts
 * import type { Route } from "./router.ts";
 *
 * const route: Route = { kind: "job", id: "a1", allow: "GET, HEAD, OPTIONS" };
 * ```
 */
export interface Route {
  /** What the request is for. */
  readonly kind: RouteKind;
  /** The job id in the path, for `job`, `job-events` and `job-cancel`. */
  readonly id?: string;
  /** The methods the path allows, as an `Allow` header lists them. */
  readonly allow: string;
}

const READ = "GET, HEAD, OPTIONS";
const CREATE = "POST, OPTIONS";
const EVENTS = "/events";

/**
 * Matches a request's URL. `/status`, `/status/events` and `POST /jobs` are
 * the simulator's own in every dialect; a job's status is at the dialect's
 * job path (its events at that path plus `/events`), and `POST` at the
 * dialect's create path creates a job too. The seed dialect also serves a
 * job at `/status/{id}` and `/status?job_id={id}`. A job's cancel request
 * is at the dialect's cancel path, if it has one. A legacy simulator has no
 * event streams and no cancel.
 *
 * @example
 * ```ts
 * import { route } from "./router.ts";
 * import { PRESETS } from "../protocol/dialects/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const seed = PRESETS["video-status"];
 * const at = (path: string) => new URL(`http://localhost${path}`);
 * assert.deepEqual(route(at("/jobs/a1/events"), seed, false), {
 *   kind: "job-events",
 *   id: "a1",
 *   allow: "GET, HEAD, OPTIONS",
 * });
 * assert.equal(route(at("/jobs/a1/events"), seed, true), undefined);
 * assert.equal(route(at("/status?job_id=a1"), seed, false)?.id, "a1");
 * assert.equal(route(at("/v1/predictions/p1"), PRESETS.replicate, false)?.id, "p1");
 * assert.equal(route(at("/v1/predictions"), PRESETS.replicate, false)?.kind, "jobs");
 * assert.equal(route(at("/jobs/a1/cancel"), seed, false)?.kind, "job-cancel");
 * assert.equal(route(at("/v1/operations/o1:cancel"), PRESETS["google-operation"], false)?.id, "o1");
 * assert.equal(route(at("/nope"), seed, false), undefined);
 * ```
 *
 * @param url The request's URL.
 * @param dialect The dialect the simulator speaks.
 * @param legacy Whether the simulator is legacy.
 * @returns The route, or `undefined` when none matches.
 */
export function route(
  url: URL,
  dialect: Dialect,
  legacy: boolean,
): Route | undefined {
  const path = url.pathname;
  const seed = dialect === VIDEO_STATUS;
  if (path === "/status") {
    const id = seed ? url.searchParams.get("job_id") : null;
    return id === null
      ? { kind: "status", allow: READ }
      : { kind: "job", id, allow: READ };
  }
  if (path === "/jobs" || path === dialect.createPath) {
    return { kind: "jobs", allow: CREATE };
  }
  if (!legacy && path === "/status/events") {
    return { kind: "status-events", allow: READ };
  }
  if (seed && path.startsWith("/status/")) {
    const id = STATUS_ROUTE.jobId(url);
    if (id !== undefined) return { kind: "job", id, allow: READ };
  }
  // Before the job path, which may hold it (Google's `{id}:cancel`).
  const cancel = legacy ? undefined : cancelRoute(dialect);
  const canceled = cancel?.jobId(url);
  if (canceled !== undefined) {
    const allow = `${dialect.cancelRequest!.method}, OPTIONS`;
    return { kind: "job-cancel", id: canceled, allow };
  }
  const id = dialect.jobId(url);
  if (id !== undefined) return { kind: "job", id, allow: READ };
  if (legacy || !path.endsWith(EVENTS)) return undefined;
  const stream = new URL(url);
  stream.pathname = path.slice(0, -EVENTS.length);
  const streamId = dialect.jobId(stream);
  return streamId === undefined
    ? undefined
    : { kind: "job-events", id: streamId, allow: READ };
}
