/**
 * What every runtime adapter takes and gives: a `fetch`-style handler in, a
 * listening server out.
 *
 * @module
 */

/**
 * A `fetch`-style handler with the client's address.
 *
 * @example
 * ```ts
 * import type { FetchHandler } from "./listener.ts";
 *
 * const echo: FetchHandler = (request, info) =>
 *   Promise.resolve(new Response(`${request.method} from ${info.remoteAddr.hostname}`));
 * ```
 */
export type FetchHandler = (
  request: Request,
  info: { readonly remoteAddr: { readonly hostname: string } },
) => Promise<Response>;

/**
 * Where an adapter listens.
 *
 * @example
 * ```ts
 * import type { ListenOptions } from "./listener.ts";
 *
 * const options: ListenOptions = { port: 0, hostname: "127.0.0.1" };
 * ```
 */
export interface ListenOptions {
  /** The port; 0 picks a free one. */
  readonly port: number;
  /** The address. */
  readonly hostname: string;
}

/**
 * A listening server, as an adapter returns it.
 *
 * @example
 * ```ts ignore
 * import { listenNode } from "./node.ts";
 * import type { Listener } from "./listener.ts";
 *
 * const listener: Listener = await listenNode(
 *   () => Promise.resolve(new Response("ok")),
 *   { port: 0, hostname: "127.0.0.1" },
 * );
 * await listener.close();
 * ```
 */
export interface Listener {
  /** The bound port. */
  readonly port: number;
  /** Stops accepting, ends connections as their responses end, and resolves once all are closed. */
  close(): Promise<void>;
  /** Resolves once the server has closed. */
  readonly finished: Promise<void>;
}
