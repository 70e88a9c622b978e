/**
 * Builds the npm package `video-status-client` into `npm/`: ESM and CommonJS
 * bundles of `mod.ts`, `server.ts`, `testing/mod.ts` and `redis/mod.ts` with type declarations for each, the
 * `video-status-client-server` command, `package.json`, `README.md` and
 * `LICENSE`. tsup and TypeScript come from npm (see `_npm_tools.ts`).
 *
 * Run `deno task build:npm --help` for usage.
 *
 * @module
 */

import { join } from "node:path";
import { ensureNpmTools, npmToolBin, npmToolsDir } from "./_npm_tools.ts";
import { run } from "./_run.ts";

/** The package's name on npm. */
const NPM_NAME = "video-status-client";

/** The command that runs the simulator. */
const NPM_BIN = "video-status-client-server";

/** The Node.js versions the package supports and CI tests. */
const NODE_ENGINES = ">=20";

const HELP = `Usage: deno task build:npm [options]

Builds the npm package ${NPM_NAME} into npm/ (deleted first): ESM and
CommonJS bundles of mod.ts, server.ts, testing/mod.ts and redis/mod.ts with .d.ts
and .d.cts declarations,
the ${NPM_BIN} command, package.json, README.md and LICENSE.
The pinned build tools are installed once into ${npmToolsDir()}.

Options:
  -h, --help  Show this help and exit
`;

/** The entry points of the package: output name and source file. */
const ENTRIES: Readonly<Record<string, string>> = {
  index: "mod.ts",
  server: "server.ts",
  testing: "testing/mod.ts",
  redis: "redis/mod.ts",
};

/**
 * The npm packages an entry point needs, with their version ranges: peer
 * dependencies marked optional, so that installing the package installs
 * none of them and only the user of that entry point adds it.
 */
export const OPTIONAL_PEERS: Readonly<Record<string, string>> = {
  // `redis/`: node-redis, the version deno.json's scope maps and upward.
  redis: "^6.3.1",
};

/** The subset of `deno.json` the build reads. */
interface DenoConfig {
  version: string;
  license: string;
}

/**
 * Builds the package.
 *
 * @param root The repository root.
 * @returns The directory written, `<root>/npm`.
 * @throws {Error} When a tool fails or `deno.json`, `README.md` or `LICENSE`
 * is missing.
 */
export async function buildNpm(root: string): Promise<string> {
  const { version, license } = JSON.parse(
    await Deno.readTextFile(join(root, "deno.json")),
  ) as DenoConfig;
  const outDir = join(root, "npm");
  const tools = await ensureNpmTools();
  await Deno.remove(outDir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await Deno.mkdir(outDir, { recursive: true });
  const work = await Deno.makeTempDir({ prefix: "build_npm_" });
  try {
    const config = await writeBuildConfig(root, tools, work, outDir);
    await run(npmToolBin(tools, "tsup"), ["--config", config], {
      cwd: tools,
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  await Deno.writeTextFile(
    join(outDir, "package.json"),
    JSON.stringify(packageJson(version, license), null, 2) + "\n",
  );
  await writeSubpathStubs(outDir);
  for (const file of ["README.md", "LICENSE"]) {
    await Deno.copyFile(join(root, file), join(outDir, file));
  }
  return outDir;
}

/**
 * The `package.json` of the npm package.
 *
 * @param version The version, from `deno.json`.
 * @param license The license, from `deno.json`.
 * @returns The manifest.
 */
function packageJson(
  version: string,
  license: string,
): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const name of Object.keys(ENTRIES)) {
    exports[name === "index" ? "." : `./${name}`] = {
      import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
    };
  }
  exports["./package.json"] = "./package.json";
  return {
    name: NPM_NAME,
    version,
    description:
      "Wait for a video translation job with as few requests as possible, and a simulator of its status API",
    keywords: ["polling", "backoff", "long-polling", "server-sent-events"],
    license,
    type: "module",
    main: "./dist/index.cjs",
    module: "./dist/index.js",
    types: "./dist/index.d.cts",
    exports,
    bin: { [NPM_BIN]: "./dist/cli.js" },
    files: ["dist", ...Object.keys(ENTRIES).filter((name) => name !== "index")],
    sideEffects: false,
    engines: { node: NODE_ENGINES },
    peerDependencies: OPTIONAL_PEERS,
    peerDependenciesMeta: Object.fromEntries(
      Object.keys(OPTIONAL_PEERS).map((name) => [name, { optional: true }]),
    ),
  };
}

/**
 * Writes `<subpath>/package.json` for every subpath export, so that tools
 * without `exports` support (TypeScript's `node10` resolution, old bundlers)
 * resolve `video-status-client/server` to the CommonJS build and its types.
 *
 * @param outDir The package directory.
 */
async function writeSubpathStubs(outDir: string): Promise<void> {
  for (const name of Object.keys(ENTRIES)) {
    if (name === "index") continue;
    await Deno.mkdir(join(outDir, name));
    await Deno.writeTextFile(
      join(outDir, name, "package.json"),
      JSON.stringify(
        {
          main: `../dist/${name}.cjs`,
          types: `../dist/${name}.d.cts`,
        },
        null,
        2,
      ) + "\n",
    );
  }
}

/**
 * Writes the tsup configuration and the TypeScript settings it needs.
 *
 * @returns The path of the tsup configuration file.
 */
async function writeBuildConfig(
  root: string,
  tools: string,
  work: string,
  outDir: string,
): Promise<string> {
  // Deno's `import.meta.main`, for the declaration build's type check.
  const typeRoot = join(work, "types");
  await Deno.mkdir(join(typeRoot, "deno-import-meta"), { recursive: true });
  await Deno.writeTextFile(
    join(typeRoot, "deno-import-meta", "index.d.ts"),
    "interface ImportMeta {\n  readonly main: boolean;\n}\n",
  );
  const tsconfig = join(work, "tsconfig.json");
  await Deno.writeTextFile(
    tsconfig,
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          lib: [
            "ES2022",
            "ESNext.Disposable",
            "DOM",
            "DOM.Iterable",
            "DOM.AsyncIterable",
          ],
          module: "ESNext",
          moduleResolution: "Bundler",
          allowImportingTsExtensions: true,
          noEmit: true,
          strict: true,
          skipLibCheck: true,
          types: ["node", "deno-import-meta"],
          typeRoots: [typeRoot, join(tools, "node_modules", "@types")],
        },
      },
      null,
      2,
    ),
  );
  const sources = (extra: Record<string, string> = {}) =>
    Object.fromEntries(
      Object.entries({ ...ENTRIES, ...extra }).map((
        [name, file],
      ) => [name, join(root, file)]),
    );
  const common = {
    tsconfig,
    outDir: join(outDir, "dist"),
    target: "es2022",
    platform: "neutral",
    // The npm package runs the command line from its own `bin`, never from
    // `server.ts`'s `import.meta.main` block.
    define: { "import.meta.main": "false" },
    removeNodeProtocol: false,
    treeshake: true,
    dts: { entry: sources() },
  };
  const builds = [
    {
      ...common,
      format: "esm",
      entry: sources({ cli: "scripts/npm_bin.ts" }),
      splitting: true,
    },
    { ...common, format: "cjs", entry: sources() },
  ];
  const config = join(work, "tsup.config.mjs");
  await Deno.writeTextFile(
    config,
    `const builds = ${JSON.stringify(builds, null, 2)};
export default builds.map((build) => ({
  ...build,
  external: [/^node:/, ...${JSON.stringify(Object.keys(OPTIONAL_PEERS))}],
  outExtension: ({ format }) =>
    format === "cjs" ? { js: ".cjs", dts: ".d.cts" } : { js: ".js", dts: ".d.ts" },
}));
`,
  );
  return config;
}

/**
 * Runs the build from the command line.
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
    console.error(
      `Cannot build as '${args[0]}' is not an option: see --help`,
    );
    return 2;
  }
  const root = join(import.meta.dirname!, "..");
  const outDir = await buildNpm(root);
  console.log(`Built ${NPM_NAME} into ${outDir}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
