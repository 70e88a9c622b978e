/**
 * Runs a command for the build and check scripts, with its output shown.
 *
 * @module
 */

/** Options of {@linkcode run}. */
export interface RunOptions {
  /** The working directory. @default {Deno.cwd()} */
  cwd?: string;
  /** Extra environment variables. @default {{}} */
  env?: Record<string, string>;
}

/**
 * Runs a command with inherited standard output and error.
 *
 * @param command The program.
 * @param args Its arguments.
 * @param options Working directory and environment.
 * @returns A promise that resolves once the command exits with 0.
 * @throws {Error} When the command cannot start or exits with another code.
 */
export async function run(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<void> {
  const { cwd, env } = options;
  const { code } = await new Deno.Command(command, {
    args,
    cwd,
    env,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    throw new Error(
      `Command failed with exit code ${code}: ${[command, ...args].join(" ")}`,
    );
  }
}
