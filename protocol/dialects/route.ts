/**
 * Where a job's status lives in a dialect: a path template such as
 * `/jobs/{id}` or `/v1/video_status.get?video_id={id}`, turned into the URL
 * the client asks and back into the id the simulator answers for.
 *
 * @module
 */

import { show } from "../../util/validate.ts";

/** The two directions of a job's status path. */
export interface JobRoute {
  /**
   * The path (and query) of a job's status, relative to the API's base URL.
   *
   * @param id The job's id.
   * @returns A path starting with `/`, the id percent-encoded.
   * @throws {TypeError} For an empty id, or `.` or `..` as a path segment
   * (a URL cannot hold those).
   */
  jobPath(id: string): string;
  /**
   * The id of the job a request asks for, or `undefined` when the request's
   * path is not a status path of this route.
   *
   * @param url The request's URL (only its path and query are read).
   * @returns The decoded id, or `undefined`.
   */
  jobId(url: URL): string | undefined;
}

const PLACEHOLDER = "{id}";
// Stands for the id while the template's query is parsed.
const MARKER = "__id__";

/**
 * Makes a {@linkcode JobRoute} from a template with one `{id}`, either a path
 * segment (`/v1/predictions/{id}`) or a query value
 * (`/v1/video_status.get?video_id={id}`).
 *
 * @example A path segment and a query value
 * ```ts
 * import { jobRoute } from "./route.ts";
 * import assert from "node:assert/strict";
 *
 * const jobs = jobRoute("/jobs/{id}");
 * assert.equal(jobs.jobPath("a b"), "/jobs/a%20b");
 * assert.equal(jobs.jobId(new URL("http://localhost/jobs/a%20b")), "a b");
 * assert.equal(jobs.jobId(new URL("http://localhost/jobs/a/events")), undefined);
 *
 * const heygen = jobRoute("/v1/video_status.get?video_id={id}");
 * assert.equal(heygen.jobPath("v1"), "/v1/video_status.get?video_id=v1");
 * assert.equal(heygen.jobId(new URL("http://localhost/v1/video_status.get?video_id=v1")), "v1");
 * ```
 *
 * @param template A path starting with `/`, with `{id}` exactly once.
 * @returns The route.
 * @throws {TypeError} When the template is not of that form.
 */
export function jobRoute(template: string): JobRoute {
  const parts = typeof template === "string" ? template.split(PLACEHOLDER) : [];
  if (parts.length !== 2 || !template.startsWith("/")) {
    throw new TypeError(
      `Cannot create the job route as 'jobPath' must be a path starting with "/" with {id} exactly once: current value is ${
        show(template)
      }`,
    );
  }
  const [before, after] = parts;
  const queryAt = template.indexOf("?");
  if (queryAt !== -1 && queryAt < before.length) {
    return queryRoute(template, before.slice(queryAt + 1), after);
  }
  return {
    jobPath(id) {
      // A URL parser drops a "." or ".." segment (even as %2E), so such an
      // id has no path of its own.
      assertId(id, id === "." || id === "..");
      return `${before}${encodeURIComponent(id)}${after}`;
    },
    jobId(url) {
      const path = url.pathname;
      if (
        path.length <= before.length + after.length ||
        !path.startsWith(before) || !path.endsWith(after)
      ) return undefined;
      const segment = path.slice(before.length, path.length - after.length);
      return segment.includes("/") ? undefined : decode(segment);
    },
  };
}

/** A route whose id is a query value: the path and other values must match. */
function queryRoute(template: string, head: string, tail: string): JobRoute {
  const path = template.slice(0, template.indexOf("?"));
  const params = new URLSearchParams(head + MARKER + tail);
  const name = [...params].find(([, value]) => value === MARKER)?.[0] ?? "";
  const fixed = [...params].filter(([key]) => key !== name);
  return {
    jobPath(id) {
      assertId(id, false);
      const query = new URLSearchParams([...fixed, [name, id]]);
      return `${path}?${query}`;
    },
    jobId(url) {
      if (url.pathname !== path) return undefined;
      const matches = fixed.every(([key, value]) =>
        url.searchParams.get(key) === value
      );
      const id = url.searchParams.get(name);
      return matches && id !== null && id !== "" ? id : undefined;
    },
  };
}

/** Throws a TypeError for an id no status path can hold. */
function assertId(id: string, dotSegment: boolean): void {
  if (typeof id === "string" && id !== "" && !dotSegment) return;
  throw new TypeError(
    `Cannot build the status path as 'id' must be a non-empty string other than "." and "..": current value is ${
      show(id)
    }`,
  );
}

/** A path segment decoded, or `undefined` when empty or badly encoded. */
function decode(segment: string): string | undefined {
  if (segment === "") return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The absolute URL of a job's status: the route's path appended to the base
 * URL's path, the route's query merged into the base URL's query (so an
 * `api-version` or a key in the base URL is kept).
 *
 * @example
 * ```ts
 * import { jobRoute, jobUrl } from "./route.ts";
 * import assert from "node:assert/strict";
 *
 * const route = jobRoute("/v1/video_status.get?video_id={id}");
 * assert.equal(
 *   jobUrl("https://api.example.com/base/?v=2", route, "x1"),
 *   "https://api.example.com/base/v1/video_status.get?v=2&video_id=x1",
 * );
 * ```
 *
 * @param baseUrl The API's base URL.
 * @param route The dialect, or any {@linkcode JobRoute}.
 * @param id The job's id.
 * @returns The status URL.
 */
export function jobUrl(
  baseUrl: string | URL,
  route: Pick<JobRoute, "jobPath">,
  id: string,
): string {
  const url = new URL(baseUrl);
  const relative = new URL(route.jobPath(id), "http://relative.invalid");
  url.pathname = url.pathname.replace(/\/+$/, "") + relative.pathname;
  for (const [key, value] of relative.searchParams) {
    url.searchParams.append(key, value);
  }
  return url.href;
}
