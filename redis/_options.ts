// The checks every Redis-backed part makes of its options, with one message
// for each: a URL that is not Redis's, and a name that is empty. A URL's
// credentials never reach a message.

import { show } from "../util/validate.ts";

/**
 * Throws a TypeError unless `url` is a `redis://` or `rediss://` URL (the
 * message shows the value with its credentials hidden); returns it
 * normalised.
 */
export function checkRedisUrl(subject: string, url: unknown): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === "string" ? new URL(url) : undefined;
  } catch {
    // Reported below.
  }
  if (parsed === undefined || !/^rediss?:$/.test(parsed.protocol)) {
    throw new TypeError(
      `Cannot create ${subject} as 'url' must be a redis:// or rediss:// URL: current value is ${
        show(
          typeof url === "string" ? url.replace(/\/\/[^@/]*@/, "//***@") : url,
        )
      }`,
    );
  }
  return parsed.href;
}

/** Throws a TypeError unless `value` is a non-empty string. */
export function checkName(
  subject: string,
  name: string,
  value: unknown,
): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `Cannot create ${subject} as '${name}' must be a non-empty string: current value is ${
        show(value)
      }`,
    );
  }
  return value;
}
