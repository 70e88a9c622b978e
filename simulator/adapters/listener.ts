/**
 * What every runtime adapter takes and gives: a `fetch`-style handler (and
 * one for WebSocket upgrades) in, a listening server out.
 *
 * @module
 */

import type { WebSocketUpgrade } from "../push.ts";

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
 * What answers a request that asks for a WebSocket: the upgrade to run on
 * the connection's bytes, or a response that refuses it.
 *
 * @example
 * ```ts
 * import type { UpgradeHandler } from "./listener.ts";
 *
 * const refuse: UpgradeHandler = () =>
 *   Promise.resolve(new Response(null, { status: 404 }));
 * ```
 */
export type UpgradeHandler = (
  request: Request,
  info: { readonly remoteAddr: { readonly hostname: string } },
) => Promise<WebSocketUpgrade | Response>;

/**
 * How an adapter guards its connections, in milliseconds. Node.js's own
 * server has the same guards (`headersTimeout`, `keepAliveTimeout`,
 * `maxConnections`).
 *
 * @example
 * ```ts
 * import { CONNECTION_DEFAULTS, type ConnectionLimits } from "./listener.ts";
 *
 * const limits: ConnectionLimits = { ...CONNECTION_DEFAULTS, idleTimeout: 1_000 };
 * ```
 */
export interface ConnectionLimits {
  /** Time from a connection's start (or a next request's first byte) to its complete request head; past it the connection is closed. */
  readonly headerTimeout: number;
  /** Time a connection may sit idle between requests before it is closed. */
  readonly idleTimeout: number;
  /**
   * Open connections at most; one more is turned away (the Deno adapter
   * answers it `503` and closes it, `node:http` closes it).
   */
  readonly maxConnections: number;
  /** Time `close()` lets responses in progress end before it closes their connections. */
  readonly shutdownGrace: number;
}

/**
 * The defaults of {@linkcode ConnectionLimits}: a request head within 10 s
 * (Node.js allows 60 s, but a client that has connected sends its head in
 * milliseconds, and a shorter bound frees a slowloris's descriptors six times
 * sooner); 5 s idle between requests (Node.js's `keepAliveTimeout`, longer
 * than the 4 s after which Node.js's `fetch` (undici) drops an idle
 * connection, so that client never reuses one the server is closing; 10 s
 * would keep twice the idle descriptors for little gain); 12,000 connections
 * (one for each of the simulator's 10,000 `maxHeld` long-polls, and room for
 * other requests); 5 s for shutdown, half of what a process manager usually
 * waits after SIGTERM before it kills.
 *
 * @example
 * ```ts
 * import { CONNECTION_DEFAULTS } from "./listener.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CONNECTION_DEFAULTS.idleTimeout, 5_000);
 * ```
 */
export const CONNECTION_DEFAULTS: ConnectionLimits = Object.freeze({
  headerTimeout: 10_000,
  idleTimeout: 5_000,
  maxConnections: 12_000,
  shutdownGrace: 5_000,
});

/**
 * Where an adapter listens, and how it guards its connections.
 *
 * @example
 * ```ts
 * import { CONNECTION_DEFAULTS, type ListenOptions } from "./listener.ts";
 *
 * const options: ListenOptions = { port: 0, hostname: "127.0.0.1", ...CONNECTION_DEFAULTS };
 * ```
 */
export interface ListenOptions extends ConnectionLimits {
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
 * import { CONNECTION_DEFAULTS, type Listener } from "./listener.ts";
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
  /**
   * Stops accepting, closes idle connections and the others as their
   * responses end, closes whatever is left once `shutdownGrace` has passed,
   * and resolves once all are closed.
   */
  close(): Promise<void>;
  /** Resolves once the server has closed. */
  readonly finished: Promise<void>;
}
