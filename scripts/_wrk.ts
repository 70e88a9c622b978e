// Loads a URL with wrk (the Debian package) for a bounded time and reads back
// its throughput.

/** What one wrk run measured. */
export interface WrkResult {
  /** Completed requests per second. */
  requestsPerSecond: number;
  /** Responses that were not 2xx or 3xx, plus socket errors. */
  errors: number;
}

/** How hard and how long wrk loads the URL. */
export interface WrkOptions {
  /** Seconds of load. */
  seconds: number;
  /** Open connections. */
  connections: number;
  /** wrk threads. */
  threads: number;
}

/**
 * Runs `wrk` against a loopback URL.
 *
 * @throws {Error} When wrk is missing, fails, or prints no throughput.
 */
export async function runWrk(
  url: string,
  options: WrkOptions,
): Promise<WrkResult> {
  const { seconds, connections, threads } = options;
  const { code, stdout, stderr } = await new Deno.Command("wrk", {
    args: [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, url],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text)?.[1];
  if (code !== 0 || rate === undefined) {
    throw new Error(
      `Cannot measure throughput as wrk failed: ${
        new TextDecoder().decode(stderr).trim() || text.trim()
      }`,
    );
  }
  const non2xx = Number(
    /Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0,
  );
  const socket =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
      .exec(text)?.slice(1).reduce((sum, n) => sum + Number(n), 0) ?? 0;
  return { requestsPerSecond: Number(rate), errors: non2xx + socket };
}
