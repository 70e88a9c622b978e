// The configured headers: the shapes they may be given in, checked when the
// client is created.

import { show } from "../util/validate.ts";

/**
 * Header names and values: a record, a list of pairs, or a `Headers`. (Not
 * the DOM's `HeadersInit`, so that Node projects without the DOM library
 * type-check.)
 *
 * @example
 * ```ts
 * import type { HeaderValues } from "@video-status/client";
 *
 * const headers: HeaderValues = [["x-api-key", "my-key"]];
 * ```
 */
export type HeaderValues =
  | Record<string, string>
  | Iterable<readonly [string, string]>
  | Headers;

/**
 * The configured headers, checked now rather than at the first request. The
 * runtime's message quotes the bad value, which may be a key, so only the
 * header's name is shown.
 */
export function parseHeaders(
  subject: string,
  init: HeaderValues | undefined,
): Headers {
  const headers = new Headers();
  const entries = init === undefined
    ? []
    : Symbol.iterator in Object(init)
    ? init as Iterable<readonly [string, string]>
    : Object.entries(init);
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      throw new TypeError(
        `Cannot create ${subject} as 'headers' must be a record, a list of [name, value] pairs or a Headers: current value is ${
          show(init)
        }`,
      );
    }
    const [name, value] = entry;
    try {
      headers.append(name, value);
    } catch {
      throw new TypeError(
        `Cannot create ${subject} as 'headers' must hold valid header names and values: the header ${
          show(name)
        } is not valid (its value is not shown)`,
      );
    }
  }
  return headers;
}
