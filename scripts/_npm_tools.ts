/**
 * The npm tools that build and check the npm package, pinned and installed
 * once into a cache directory outside the repository, so the project itself
 * has no `package.json` and no `node_modules`.
 *
 * @module
 */

import { join } from "node:path";
import { run } from "./_run.ts";

/** The tools and their exact versions. */
export const NPM_TOOLS: Readonly<Record<string, string>> = {
  "tsup": "8.5.0",
  "typescript": "5.9.3",
  "@types/node": "20.19.43",
  "publint": "0.3.25",
  "@arethetypeswrong/cli": "0.18.5",
  "bun": "1.4.5",
  // The optional peers' types, for the declaration build of their entries.
  "@opentelemetry/api": "1.9.0",
};

/**
 * The directory the tools are installed in:
 * `$XDG_CACHE_HOME/video-status-client/npm-tools`, with `XDG_CACHE_HOME`
 * defaulting to `~/.cache`.
 *
 * @returns The absolute directory.
 */
export function npmToolsDir(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") ||
    join(Deno.env.get("HOME") ?? "/tmp", ".cache");
  return join(cache, "video-status-client", "npm-tools");
}

/**
 * Installs the pinned tools unless these versions are installed already.
 *
 * @returns The directory the tools are installed in.
 * @throws {Error} When `npm install` fails.
 */
export async function ensureNpmTools(): Promise<string> {
  const dir = npmToolsDir();
  const manifest = JSON.stringify(
    { private: true, type: "module", devDependencies: NPM_TOOLS },
    null,
    2,
  ) + "\n";
  const stamp = join(dir, "node_modules", ".installed.json");
  if (await readOrUndefined(stamp) === manifest) return dir;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "package.json"), manifest);
  console.log(`Installing the npm tools into ${dir}`);
  await npmInstall(dir);
  await Deno.writeTextFile(stamp, manifest);
  return dir;
}

/**
 * The path of an installed tool's command.
 *
 * @param dir The directory from {@linkcode ensureNpmTools}.
 * @param name The command, e.g. `"tsup"`.
 * @returns The absolute path of the command.
 */
export function npmToolBin(dir: string, name: string): string {
  return join(dir, "node_modules", ".bin", name);
}

/**
 * Runs a quiet `npm install` in `cwd` of its `package.json`, plus `packages`.
 *
 * @param cwd The project directory.
 * @param packages Extra package specs (names, versions, tarballs).
 * @throws {Error} When `npm install` fails.
 */
export async function npmInstall(
  cwd: string,
  packages: string[] = [],
): Promise<void> {
  await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--no-package-lock",
    "--loglevel=error",
    ...packages,
  ], { cwd });
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
