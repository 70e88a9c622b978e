// URLs as the client handles them: parsed with a clear error, joined with a
// path while keeping the query, and shown without credentials.

/** Parses an absolute URL, or throws a TypeError naming the option. */
export function parseUrl(name: string, value: string | URL): URL {
  try {
    return new URL(value);
  } catch (cause) {
    throw new TypeError(
      `Cannot use '${name}' as it must be an absolute URL: current value is ${
        String(value)
      }`,
      { cause },
    );
  }
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
  const url = new URL(href);
  url.username = "";
  url.password = "";
  return url.href;
}
