// URLs as the client handles them: parsed with a clear error, joined with a
// path while keeping the query, and shown without credentials.
//
// Only absolute http: and https: URLs without user info are accepted. A
// string like "localhost:5000" parses as the scheme "localhost:", which no
// fetch can use; user info is refused rather than turned into Basic auth, so
// that a password has one place to live (`headers`) and never rides along in
// a URL that errors, updates and logs show.

/** The form every URL option must have, as messages show it. */
const EXPECTED =
  "an absolute http: or https: URL such as http://127.0.0.1:5000";

/**
 * Parses an absolute http(s) URL without user info, or throws a TypeError
 * that names the option, shows the expected form and the value (its user
 * info hidden).
 */
export function parseUrl(
  subject: string,
  name: string,
  value: string | URL,
): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // Reported below, with the value shown safely.
  }
  const problem = url === undefined
    ? ""
    : !isHttp(url)
    ? ` (its scheme is ${url.protocol})`
    : url.username !== "" || url.password !== ""
    ? " without user info (pass credentials in 'headers')"
    : undefined;
  if (problem === undefined) return url!;
  throw new TypeError(
    `Cannot ${subject} as '${name}' must be ${EXPECTED}${problem}: current value is ${
      showUrl(String(value))
    }`,
  );
}

/** Whether the URL's scheme is one the client speaks. */
export function isHttp(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:";
}

/** Appends `path` to the URL's path, keeping its query. */
export function joinPath(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, "") + path;
  return url.href;
}

/** The URL without credentials, for errors and updates. */
export function redact(href: string): string {
  if (!href.includes("@")) return href;
  try {
    const url = new URL(href);
    url.username = "";
    url.password = "";
    return url.href;
  } catch {
    return showUrl(href);
  }
}

/**
 * A URL-like text as a message shows it: anything before an `@` in its
 * authority (user info) replaced by `***`, and cut to a readable length.
 */
export function showUrl(text: string): string {
  const hidden = text.replace(
    /^((?:[a-z][a-z0-9+.-]*:)?\/\/)?[^/?#]*@/i,
    "$1***@",
  );
  return hidden.length > 200 ? `${hidden.slice(0, 197)}...` : hidden;
}
