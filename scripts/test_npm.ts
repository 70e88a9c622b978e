/**
 * Builds the npm package into `npm/` with `build_npm.ts` and checks it: packs it,
 * lints the tarball with publint and `@arethetypeswrong/cli`, installs it
 * into a scratch project, type-checks consumers against its declarations
 * (a Node project without the DOM library, a browser one without Node's types),
 * and runs the smoke tests of `tests/npm/` there under `node --test` and
 * `bun test`.
 *
 * Run `deno task test:npm --help` for usage.
 *
 * @module
 */

import { basename, join } from "node:path";
import { buildNpm, OPTIONAL_PEERS } from "./build_npm.ts";
import {
  ensureNpmTools,
  NPM_TOOLS,
  npmInstall,
  npmToolBin,
} from "./_npm_tools.ts";
import { run } from "./_run.ts";
import { ROWS, TABLE_SIMULATOR } from "../tests/simulator/conformance_table.ts";

const HELP = `Usage: deno task test:npm [options]

Builds the npm package into npm/ (as deno task build:npm does), then checks it:
  1. npm pack
  2. publint --strict on the tarball (warnings count as errors)
  3. attw (@arethetypeswrong/cli) on the tarball
  4. npm install of the tarball and its optional peers (redis) into a scratch
     project with tests/npm/
  5. tsc against the package's declarations, as a Node project
     (tests/npm/tsconfig.json: lib ES2022 without DOM, types node, Node16
     modules) and as a browser project (tests/npm/tsconfig.browser.json:
     lib DOM, no Node types)
  6. node --test, then bun test, on the smoke tests of tests/npm/
Exits non-zero at the first failure.

Options:
  -h, --help  Show this help and exit
`;

/**
 * Builds, packs, lints, installs and smoke-tests the package.
 *
 * @param root The repository root; the package is built into `<root>/npm`.
 * @returns A promise that resolves once every check passed.
 * @throws {Error} At the first check that fails.
 */
export async function testNpm(root: string): Promise<void> {
  const packageDir = await step("build", () => buildNpm(root));
  const tools = await ensureNpmTools();
  const scratch = await Deno.makeTempDir({ prefix: "test_npm_" });
  try {
    const tarball = await step(
      "npm pack",
      () => pack(packageDir, scratch),
    );
    await step(
      "publint",
      () => run(npmToolBin(tools, "publint"), ["run", "--strict", tarball]),
    );
    await step("attw", () => run(npmToolBin(tools, "attw"), [tarball]));
    const project = join(scratch, "project");
    await step("npm install", async () => {
      await Deno.mkdir(project);
      await Deno.writeTextFile(
        join(project, "package.json"),
        '{ "private": true }\n',
      );
      await npmInstall(project, [
        tarball,
        `@types/node@${NPM_TOOLS["@types/node"]}`,
        // The optional peers, for the smoke tests of their entry points.
        ...Object.entries(OPTIONAL_PEERS).map(([name, range]) =>
          `${name}@${range}`
        ),
        // The SDK the `./otel` smoke test exports its spans with.
        "@opentelemetry/sdk-trace-base@2.0.1",
      ]);
      for await (const entry of Deno.readDir(join(root, "tests", "npm"))) {
        await Deno.copyFile(
          join(root, "tests", "npm", entry.name),
          join(project, entry.name),
        );
      }
      // The simulator's conformance table, for the same rows under Node.js
      // and Bun (RegExps as {"regexp": source}).
      await Deno.writeTextFile(
        join(project, "conformance_table.json"),
        JSON.stringify(
          { simulator: TABLE_SIMULATOR, rows: ROWS },
          (_, value) =>
            value instanceof RegExp ? { regexp: value.source } : value,
        ),
      );
    });
    for (const config of ["tsconfig.json", "tsconfig.browser.json"]) {
      await step(
        `tsc -p ${config}`,
        () => run(npmToolBin(tools, "tsc"), ["-p", join(project, config)]),
      );
    }
    await step(
      "node --test",
      () => run("node", ["--test", "--test-reporter=spec"], { cwd: project }),
    );
    await step(
      "bun test",
      () => run(npmToolBin(tools, "bun"), ["test"], { cwd: project }),
    );
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

/** Runs one step and prints its name, outcome and duration. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  console.log(`-- ${name}`);
  const start = performance.now();
  const result = await fn();
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  console.log(`-- ${name}: ok (${seconds} s)`);
  return result;
}

/** Packs the package into `destination`; returns the tarball's path. */
async function pack(packageDir: string, destination: string): Promise<string> {
  const { code, stdout } = await new Deno.Command("npm", {
    args: ["pack", "--json", "--pack-destination", destination],
    cwd: packageDir,
    stdin: "null",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`npm pack failed with exit code ${code}`);
  const [{ filename, files }] = JSON.parse(new TextDecoder().decode(stdout));
  console.log(
    `${filename}: ${
      files.map((file: { path: string }) => file.path).join(", ")
    }`,
  );
  return join(destination, basename(filename));
}

/**
 * Runs the checks from the command line.
 *
 * @param args The command-line arguments.
 * @returns The exit code.
 */
export async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(HELP);
    return 0;
  }
  if (args.length > 0) {
    console.error(`Cannot test as '${args[0]}' is not an option: see --help`);
    return 2;
  }
  await testNpm(join(import.meta.dirname!, ".."));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
