/**
 * Where a dialect's cancel request goes: its path template turned into a
 * {@linkcode JobRoute}, checked once per request object.
 *
 * @module
 */

import type { CancelRequest, Dialect } from "../dialect.ts";
import { show } from "../../util/validate.ts";
import { type JobRoute, jobRoute } from "./route.ts";

const METHODS: readonly string[] = ["POST", "DELETE"];
const ANSWERS: readonly string[] = ["job", "empty"];
// Checked once: the client and the simulator ask for each request.
const routes = new WeakMap<CancelRequest, JobRoute>();

/**
 * The route of a dialect's cancel request (its path for an id, and the id
 * of a request's URL), or `undefined` when the dialect has none.
 *
 * @example
 * ```ts
 * import {
 *   cancelRoute,
 *   GOOGLE_OPERATION,
 *   HEYGEN_VIDEO,
 * } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const route = cancelRoute(GOOGLE_OPERATION)!;
 * assert.equal(route.jobPath("op1"), "/v1/operations/op1:cancel");
 * assert.equal(route.jobId(new URL("http://x/v1/operations/op1:cancel")), "op1");
 * assert.equal(cancelRoute(HEYGEN_VIDEO), undefined);
 * ```
 *
 * @param dialect The dialect.
 * @returns The route, or `undefined`.
 * @throws {TypeError} When `cancelRequest` is not an object with a `method`
 * of `POST` or `DELETE`, a `path` template with `{id}` once and an `answer`
 * of `"job"` or `"empty"`.
 */
export function cancelRoute(dialect: Dialect): JobRoute | undefined {
  const request = dialect.cancelRequest;
  if (request === undefined) return undefined;
  const known = typeof request === "object" && request !== null
    ? routes.get(request)
    : undefined;
  if (known !== undefined) return known;
  const subject = `the dialect ${show(dialect.name)}`;
  if (typeof request !== "object" || request === null) {
    throw new TypeError(
      `Cannot use ${subject} as 'cancelRequest' must be an object: current value is ${
        show(request)
      }`,
    );
  }
  if (!METHODS.includes(request.method)) {
    throw new TypeError(
      `Cannot use ${subject} as 'cancelRequest.method' must be "POST" or "DELETE": current value is ${
        show(request.method)
      }`,
    );
  }
  if (!ANSWERS.includes(request.answer)) {
    throw new TypeError(
      `Cannot use ${subject} as 'cancelRequest.answer' must be "job" or "empty": current value is ${
        show(request.answer)
      }`,
    );
  }
  let route: JobRoute;
  try {
    route = jobRoute(request.path);
  } catch {
    throw new TypeError(
      `Cannot use ${subject} as 'cancelRequest.path' must be a path starting with "/" with {id} exactly once: current value is ${
        show(request.path)
      }`,
    );
  }
  routes.set(request, route);
  return route;
}
