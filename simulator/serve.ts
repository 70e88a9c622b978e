/**
 * Serves a {@linkcode Simulator} over HTTP with whatever runtime is running
 * it: the Deno adapter (HTTP/1.1 on `Deno.listen`) under Deno, the Node.js one
 * (`node:http`) elsewhere. The simulator gets a clock whose sleeps end on
 * time and signs its callbacks on its own thread, unless the options give a
 * `clock` or a `webhookHmac`.
 *
 * @module
 */

import { canListenDeno, listenDeno } from "./adapters/deno.ts";
import {
  CONNECTION_DEFAULTS,
  type ConnectionLimits,
  type Listener,
} from "./adapters/listener.ts";
import { listenNode } from "./adapters/node.ts";
import { preciseClock } from "./adapters/precise_clock.ts";
import { nodeHmac } from "./adapters/hmac.ts";
import { checkNumber } from "./number_rule.ts";
import { CONNECTION_RULES, PORT_RULE } from "./options.ts";
import { show } from "../util/validate.ts";
import {
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from "./simulator.ts";

/**
 * Options of {@linkcode serve}: where to listen, plus every simulator option.
 *
 * @example
 * ```ts
 * import type { ServeOptions } from "@video-status/client/server";
 *
 * const options: ServeOptions = { port: 0, hostname: "127.0.0.1", seed: 1 };
 * ```
 */
export interface ServeOptions extends SimulatorOptions {
  /** Port to listen on; 0 picks a free port. @default {5000} */
  port?: number;
  /** Address to listen on. @default {"127.0.0.1"} */
  hostname?: string;
  /** Shuts the server down when aborted. @default {undefined} */
  signal?: AbortSignal;
  /**
   * Milliseconds a connection has to send a complete request head, from its
   * start (or, between requests, from the next request's first byte); past
   * it the connection is closed, so slow (slowloris) clients cannot hold
   * descriptors. @default {10_000}
   */
  headerTimeout?: number;
  /**
   * Milliseconds a connection may sit idle between requests before it is
   * closed. @default {5_000}
   */
  idleTimeout?: number;
  /**
   * Open connections at most; one more is turned away: answered `503` and
   * closed under Deno, closed by `node:http` under Node.js and Bun. An
   * `accept` that fails (out of descriptors) never stops the server: it
   * pauses and goes on as soon as a connection closes. @default {12_000}
   */
  maxConnections?: number;
  /**
   * Milliseconds {@linkcode SimulatorServer.shutdown} lets responses in
   * progress end, after answering held long-polls and ending event streams;
   * then it closes whatever connections are left (a stalled upload, say).
   * @default {5_000}
   */
  shutdownGrace?: number;
}

/**
 * A running simulation server, as {@linkcode serve} returns it.
 *
 * @example Read the bound port and shut down
 * ```ts ignore
 * import { serve, type SimulatorServer } from "@video-status/client/server";
 *
 * const server: SimulatorServer = await serve({ port: 0 });
 * console.log(server.port, server.simulator.stats());
 * await server.shutdown();
 * await server.finished;
 * ```
 */
export interface SimulatorServer extends AsyncDisposable {
  /** The base URL, e.g. `http://127.0.0.1:5000`. */
  readonly url: string;
  /** The address listened on. */
  readonly hostname: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** The request handler behind the server. */
  readonly simulator: Simulator;
  /** Resolves once the server has shut down. */
  readonly finished: Promise<void>;
  /**
   * Releases held requests (long-polls get their answer, event streams their
   * end), stops listening, closes idle connections, and waits for the others
   * to end, at most `shutdownGrace` milliseconds before it closes them. Safe
   * to call more than once.
   *
   * @returns A promise that resolves once the server is down.
   */
  shutdown(): Promise<void>;
}

/**
 * Starts a simulation server. It listens once the promise resolves; with
 * `port: 0` the real port is in the result.
 *
 * @example Serve on a free port and shut down
 * ```ts ignore
 * import { serve } from "@video-status/client/server";
 *
 * await using server = await serve({ port: 0 });
 * const response = await fetch(`${server.url}/status`);
 * console.log(await response.json()); // { result: "pending" }
 * ```
 *
 * @param options Where to listen and how the simulator behaves.
 * @returns The running server.
 * @throws {RangeError} When an option is out of range.
 */
export async function serve(
  options: ServeOptions = {},
): Promise<SimulatorServer> {
  const {
    port = 5000,
    hostname = "127.0.0.1",
    signal,
    headerTimeout = CONNECTION_DEFAULTS.headerTimeout,
    idleTimeout = CONNECTION_DEFAULTS.idleTimeout,
    maxConnections = CONNECTION_DEFAULTS.maxConnections,
    shutdownGrace = CONNECTION_DEFAULTS.shutdownGrace,
    ...rest
  } = options;
  const limits: ConnectionLimits = {
    headerTimeout,
    idleTimeout,
    maxConnections,
    shutdownGrace,
  };
  const message = checkNumber(port, "port", PORT_RULE, "serve") ??
    Object.entries(limits).map(([name, value]) =>
      checkNumber(value, name, CONNECTION_RULES[name]!, "serve")
    ).find((text) => text !== undefined);
  if (message !== undefined) throw new RangeError(message);
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError(
      `Cannot serve as 'hostname' must be a non-empty string: current value is ${
        show(hostname)
      }`,
    );
  }
  signal?.throwIfAborted();
  const simulator = createSimulator({
    ...rest,
    clock: rest.clock ?? preciseClock,
    webhookHmac: rest.webhookHmac ?? nodeHmac,
  });
  const handler = (
    request: Request,
    info: { readonly remoteAddr: { readonly hostname: string } },
  ): Promise<Response> => simulator.fetch(request, info);
  let listener: Listener;
  try {
    listener = canListenDeno()
      ? listenDeno(handler, { port, hostname, ...limits }, simulator.upgrade)
      : await listenNode(
        handler,
        { port, hostname, ...limits },
        simulator.upgrade,
      );
  } catch (error) {
    await simulator.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      signal?.removeEventListener("abort", onAbort);
      await simulator.close();
      await listener.close();
    })();
    return stopping;
  };
  const onAbort = (): void => void shutdown();
  signal?.addEventListener("abort", onAbort, { once: true });
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${listener.port}`,
    hostname,
    port: listener.port,
    simulator,
    finished: listener.finished,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}
