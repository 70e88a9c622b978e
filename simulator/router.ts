/**
 * Which route a path names, and the methods it allows.
 *
 * @module
 */

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
  | "job-events";

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
  /** The job id in the path, for `job` and `job-events`. */
  readonly id?: string;
  /** The methods the path allows, as an `Allow` header lists them. */
  readonly allow: string;
}

const READ = "GET, HEAD, OPTIONS";

/**
 * Matches a path. A legacy simulator has no event streams.
 *
 * @example
 * ```ts
 * import { route } from "./router.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(route("/jobs/a1/events", false), {
 *   kind: "job-events",
 *   id: "a1",
 *   allow: "GET, HEAD, OPTIONS",
 * });
 * assert.equal(route("/jobs/a1/events", true), undefined);
 * assert.equal(route("/nope", false), undefined);
 * ```
 *
 * @param path The request's path.
 * @param legacy Whether the simulator is legacy.
 * @returns The route, or `undefined` when none matches.
 */
export function route(path: string, legacy: boolean): Route | undefined {
  if (path === "/status") return { kind: "status", allow: READ };
  if (path === "/jobs") return { kind: "jobs", allow: "POST, OPTIONS" };
  if (!legacy && path === "/status/events") {
    return { kind: "status-events", allow: READ };
  }
  const match = /^\/jobs\/([^/]+)(\/events)?$/.exec(path);
  if (match === null) return undefined;
  if (match[2] !== undefined) {
    return legacy
      ? undefined
      : { kind: "job-events", id: match[1], allow: READ };
  }
  return { kind: "job", id: match[1], allow: READ };
}

/**
 * The path of an absolute URL as a runtime gives it in `Request.url`
 * (already normalised), without parsing it into a URL object: this runs on
 * every request.
 *
 * @example
 * ```ts
 * import { pathOf } from "./router.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pathOf("http://localhost:5000/jobs/a1?x=1#y"), "/jobs/a1");
 * assert.equal(pathOf("http://localhost"), "/");
 * ```
 *
 * @param url An absolute URL.
 * @returns Its path.
 */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  let end = url.length;
  const query = url.indexOf("?", start);
  if (query !== -1) end = query;
  const fragment = url.indexOf("#", start);
  if (fragment !== -1 && fragment < end) end = fragment;
  return url.slice(start, end);
}
