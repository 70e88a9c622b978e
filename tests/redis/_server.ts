// A real Redis for the tests: Debian's `redis-server` on a free loopback
// port, without persistence, stopped after. Fault tests kill it, pause it or
// start it again on the same port. Where `redis-server` is not installed
// the tests still show up, ignored, with the reason in their name: a Redis
// test never passes without a Redis.

import { createServer } from "node:net";

/** The `redis-server` binary on PATH, or undefined. */
export const REDIS_SERVER: string | undefined = findOnPath("redis-server");

function findOnPath(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    const path = `${dir}/${name}`;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/**
 * Registers a test that needs `redis-server`: ignored, and named so, where it
 * is not installed.
 */
export function redisTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  Deno.test({
    name: REDIS_SERVER === undefined
      ? `${name} (ignored: redis-server not installed)`
      : name,
    ignore: REDIS_SERVER === undefined,
    fn,
  });
}

/** Resolves once `check` holds, polling; rejects after `within` ms. */
export async function until(
  check: () => boolean,
  within = 5000,
): Promise<void> {
  const deadline = Date.now() + within;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A free loopback port, as the kernel hands one out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A `redis-server` the test owns. */
export class RedisServer implements AsyncDisposable {
  readonly port: number;
  readonly url: string;
  #process: Deno.ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
  }

  /** Starts a server on a free loopback port and waits until it answers. */
  static async start(port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? await freePort());
    await server.restart();
    return server;
  }

  /** Whether the server process runs. */
  get running(): boolean {
    return this.#process !== undefined;
  }

  /** Starts the server (again) on its port, empty, and waits until it answers. */
  async restart(): Promise<void> {
    if (this.#process !== undefined) throw new Error("redis-server runs");
    if (REDIS_SERVER === undefined) {
      throw new Error("redis-server is not installed");
    }
    this.#process = new Deno.Command(REDIS_SERVER, {
      args: [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--enable-debug-command",
        "local",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 10_000;
    while (!await this.#answers()) {
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`redis-server did not answer on port ${this.port}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Kills the server at once, as a crash would, and waits until it is gone. */
  async kill(): Promise<void> {
    const process = this.#process;
    if (process === undefined) return;
    this.#process = undefined;
    try {
      process.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await process.status;
  }

  /** Sends one command over a fresh connection and returns the raw reply. */
  async command(...args: string[]): Promise<string> {
    const connection = await Deno.connect({
      hostname: "127.0.0.1",
      port: this.port,
    });
    try {
      const request = `*${args.length}\r\n` +
        args.map((arg) =>
          `$${new TextEncoder().encode(arg).length}\r\n${arg}\r\n`
        )
          .join("");
      await connection.write(new TextEncoder().encode(request));
      const buffer = new Uint8Array(4096);
      const read = await connection.read(buffer);
      return new TextDecoder().decode(buffer.subarray(0, read ?? 0));
    } finally {
      connection.close();
    }
  }

  async #answers(): Promise<boolean> {
    try {
      return (await this.command("PING")).startsWith("+PONG");
    } catch {
      return false;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
  }
}
