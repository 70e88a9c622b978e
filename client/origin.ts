/**
 * Which origins the client talks to, and which of them get the configured
 * `headers` (API keys). The origins of `serverUrl` and `statusUrl` get both;
 * a server may hand out URLs elsewhere (a redirect, a created job's
 * `Location`) only on an origin listed in `allowedOrigins`, which gets the
 * headers only if its entry says `sendHeaders: true`. The `https:` form of an
 * allowed `http:` origin (same host, default ports) is allowed as well, as
 * servers upgrade that way; nothing ever goes to another scheme.
 *
 * @module
 */

import { isHttp, parseUrl, showUrl } from "./url.ts";

/**
 * An origin, other than those of `serverUrl` and `statusUrl`, that the
 * server may send the client to.
 *
 * @example A status service on another host that takes the same API key
 * ```ts
 * import { type AllowedOrigin, VideoStatusClient } from "@video-status/client";
 *
 * const status: AllowedOrigin = { origin: "https://status.example.com", sendHeaders: true };
 * const client = new VideoStatusClient({
 *   serverUrl: "https://api.example.com",
 *   headers: { "x-api-key": "my-key" },
 *   allowedOrigins: ["https://cdn.example.com", status],
 * });
 * ```
 */
export interface AllowedOrigin {
  /** The origin, such as `https://status.example.com` (no path, query or user info). */
  origin: string | URL;
  /**
   * Whether the configured `headers` go there too.
   *
   * @default {false}
   */
  sendHeaders?: boolean;
}

/** Where a URL may go, by origin. */
export type Reach = "refused" | "allowed" | "with-headers";

/** The origins of one client, and what goes to each. */
export class OriginPolicy {
  /** Origin → whether the configured headers go there. */
  readonly #origins = new Map<string, boolean>();

  /** `configured` are the client's own URLs; `allowed` are checked here. */
  constructor(configured: URL[], allowed: unknown) {
    for (const url of configured) this.#add(url.origin, true);
    if (allowed === undefined) return;
    if (!Array.isArray(allowed)) {
      throw new TypeError(
        `Cannot create VideoStatusClient as 'allowedOrigins' must be an array of origins: current value is ${typeof allowed}`,
      );
    }
    allowed.forEach((entry: unknown, index) => {
      const name = `allowedOrigins[${index}]`;
      const { origin, sendHeaders = false } = typeof entry === "object" &&
          entry !== null && !(entry instanceof URL)
        ? entry as AllowedOrigin
        : { origin: entry as string | URL };
      const url = parseUrl("create VideoStatusClient", name, origin);
      if (`${url.origin}/` !== url.href) {
        throw new TypeError(
          `Cannot create VideoStatusClient as '${name}' must be an origin, without path or query, such as https://api.example.com: current value is ${
            showUrl(url.href)
          }`,
        );
      }
      if (typeof sendHeaders !== "boolean") {
        throw new TypeError(
          `Cannot create VideoStatusClient as '${name}.sendHeaders' must be a boolean: current value is ${typeof sendHeaders}`,
        );
      }
      this.#add(url.origin, sendHeaders);
    });
  }

  /** Whether a URL may be requested, and with the configured headers. */
  reach(url: URL): Reach {
    if (!isHttp(url) || url.username !== "" || url.password !== "") {
      return "refused";
    }
    const headers = this.#origins.get(url.origin) ??
      (url.protocol === "https:" && url.port === ""
        ? this.#origins.get(`http://${url.host}`)
        : undefined);
    return headers === undefined
      ? "refused"
      : headers
      ? "with-headers"
      : "allowed";
  }

  #add(origin: string, headers: boolean): void {
    this.#origins.set(origin, headers || (this.#origins.get(origin) ?? false));
  }
}

/** Why `reach()` refuses a URL, and what would allow it, for a message. */
export function refusal(url: URL): string {
  if (!isHttp(url)) {
    return `its scheme is ${url.protocol} and only http: and https: are ever requested`;
  }
  if (url.username !== "" || url.password !== "") {
    return "it carries user info, which the client never sends";
  }
  return `its origin ${url.origin} is not that of 'serverUrl' or 'statusUrl': add it to 'allowedOrigins' if the server may send the client there`;
}
