// Starts a server script in a child process and waits for the line it prints
// when ready ("Listening on http://HOST:PORT"), so that a benchmark can load
// it from another process.

/** A server running in a child process. */
export interface ChildServer extends AsyncDisposable {
  /** The URL from its "Listening on" line. */
  readonly url: string;
  /** The child's process id. */
  readonly pid: number;
  /** Stops the child and waits for it to exit. */
  close(): Promise<void>;
  /** Resolves with the exit code once the child has exited, for whatever reason. */
  readonly exited: Promise<number>;
}

/**
 * Runs `deno run --allow-net SCRIPT ARGS…` and resolves once it listens.
 * With `fileLimit`, the child runs under `ulimit -n fileLimit` (via `sh`).
 *
 * @throws {Error} When the child exits before it prints its URL.
 */
export async function spawnServer(
  script: string,
  args: readonly string[],
  fileLimit?: number,
): Promise<ChildServer> {
  const deno = [Deno.execPath(), "run", "--allow-net", script, ...args];
  const [command, ...rest] = fileLimit === undefined ? deno : [
    "sh",
    "-c",
    // `exec` keeps the pid: it is the server's own.
    `ulimit -n ${fileLimit} && exec "$@"`,
    "sh",
    ...deno,
  ];
  const child = new Deno.Command(command!, {
    args: rest,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let url: string | undefined;
  while (url === undefined) {
    const { value, done } = await lines.read();
    if (done) {
      await child.status;
      throw new Error(`Cannot start ${script} as it exited before listening`);
    }
    buffered += value;
    url = /Listening on (http:\/\/\S+)/.exec(buffered)?.[1];
  }
  // Keep reading so that the child never blocks on a full pipe.
  const drained = (async () => {
    while (!(await lines.read()).done) { /* discard */ }
  })();
  const close = async (): Promise<void> => {
    try {
      child.kill("SIGTERM");
    } catch {
      // It has exited already.
    }
    await child.status;
    await drained;
  };
  return {
    url,
    pid: child.pid,
    close,
    exited: child.status.then((status) => status.code),
    [Symbol.asyncDispose]: close,
  };
}
