/**
 * Serves a `fetch`-style handler with `Deno.serve`.
 *
 * @module
 */

import type { FetchHandler, Listener, ListenOptions } from "./listener.ts";

/** The part of `Deno.serve` this module uses, so it type-checks anywhere. */
interface DenoServe {
  serve(
    options: { port: number; hostname: string; onListen: () => void },
    handler: (
      request: Request,
      info: { remoteAddr: { hostname?: string } },
    ) => Promise<Response>,
  ): {
    addr: { port?: number };
    finished: Promise<void>;
    shutdown(): Promise<void>;
  };
}

/**
 * Whether this runtime has `Deno.serve`.
 *
 * @example
 * ```ts
 * import { canListenDeno } from "./deno.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(canListenDeno(), "Deno" in globalThis);
 * ```
 *
 * @returns `true` under Deno.
 */
export function canListenDeno(): boolean {
  const deno = (globalThis as { Deno?: Partial<DenoServe> }).Deno;
  return typeof deno?.serve === "function";
}

/**
 * Serves `handler` with `Deno.serve`.
 *
 * @example Serve a handler on a free port
 * ```ts ignore
 * import { listenDeno } from "./deno.ts";
 *
 * const listener = listenDeno(
 *   () => Promise.resolve(new Response("ok")),
 *   { port: 0, hostname: "127.0.0.1" },
 * );
 * console.log(await (await fetch(`http://127.0.0.1:${listener.port}/`)).text());
 * await listener.close();
 * ```
 *
 * @param handler The request handler.
 * @param options Where to listen.
 * @returns The listener, bound.
 * @throws {Error} When the runtime is not Deno or the address is taken.
 */
export function listenDeno(
  handler: FetchHandler,
  options: ListenOptions,
): Listener {
  const deno = (globalThis as { Deno?: DenoServe }).Deno;
  if (deno === undefined) {
    throw new Error(
      "Cannot listen with Deno.serve as this runtime is not Deno",
    );
  }
  const server = deno.serve(
    { port: options.port, hostname: options.hostname, onListen: () => {} },
    // The address is only read with a rate limit: Deno builds it lazily.
    (request, info) =>
      handler(request, {
        get remoteAddr() {
          return { hostname: info.remoteAddr.hostname ?? "" };
        },
      }),
  );
  return {
    port: server.addr.port ?? options.port,
    finished: server.finished,
    close: () => server.shutdown(),
  };
}
