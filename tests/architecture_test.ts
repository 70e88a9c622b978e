// The layout is the design: these tests keep it true. Each layer may import
// only the layers below it (surfaces → client/simulator → timing/protocol →
// util), the client and the timing policy use web APIs only, and the
// simulator's handler leaves runtime APIs to its adapters. Entry folders
// (`redis/`) sit beside the surfaces and alone may import their npm package.

import assert from "node:assert/strict";
import { OPTIONAL_PEERS } from "../scripts/build_npm.ts";

const root = new URL("../", import.meta.url);

/**
 * The entry folders besides `testing/`, each an entry point of its own, and
 * the npm packages each may import (declared as optional peer dependencies
 * in scripts/build_npm.ts and mapped in deno.json's scope of the folder).
 */
const ENTRY_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  redis: ["redis"],
};

/** Layer of a source file, by its folder; top-level files are surfaces. */
function layerOf(path: string): string {
  const slash = path.indexOf("/");
  return slash === -1 ? "surface" : path.slice(0, slash);
}

/** What each layer may import, besides itself. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  util: [],
  protocol: ["util"],
  timing: ["util"],
  client: ["timing", "protocol", "util"],
  simulator: ["timing", "protocol", "util"],
  testing: ["client", "timing", "protocol", "util"],
  redis: ["client", "timing", "protocol", "util"],
  surface: [
    "surface",
    "client",
    "simulator",
    "testing",
    "timing",
    "protocol",
    "util",
  ],
};

// The files of the simulator that meet a runtime: its adapters, the program
// around it and the choice of adapter.
const SIMULATOR_RUNTIME_FILES =
  /^simulator\/(adapters\/|cli\.ts$|cli_args\.ts$|serve\.ts$)/;

async function sourceFiles(dir: URL, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) {
      if (
        ["tests", "scripts", "npm", "node_modules", ".bench", ".git"].includes(
          entry.name,
        )
      ) continue;
      files.push(
        ...await sourceFiles(new URL(`${entry.name}/`, dir), `${path}/`),
      );
    } else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

/** Specifiers of the file's static and dynamic imports and re-exports, outside comments. */
function importsOf(source: string): string[] {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  const specifiers = patterns.flatMap((pattern) =>
    [...code.matchAll(pattern)].map((match) => match[1])
  );
  return specifiers;
}

function resolve(from: string, specifier: string): string {
  const url = new URL(specifier, new URL(from, "file:///r/"));
  return url.pathname.slice("/r/".length);
}

const files = await sourceFiles(root);
const sources = new Map(
  await Promise.all(
    files.map(async (path) =>
      [path, await Deno.readTextFile(new URL(path, root))] as const
    ),
  ),
);

Deno.test("the top level holds only the design's source files", () => {
  const topLevel = files.filter((path) => layerOf(path) === "surface");
  assert.deepEqual(topLevel, ["client.ts", "mod.ts", "server.ts"]);
});

Deno.test("every layer imports only the layers below it", () => {
  const violations: string[] = [];
  for (const [path, source] of sources) {
    const layer = layerOf(path);
    for (const specifier of importsOf(source)) {
      if (!specifier.startsWith(".")) continue;
      const target = layerOf(resolve(path, specifier));
      if (target !== layer && !ALLOWED[layer]?.includes(target)) {
        violations.push(`${path} imports ${specifier} (${layer} → ${target})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

/** The runtime APIs the checked files use: non-relative imports and `Deno.*`. */
function runtimeUses(isChecked: (path: string) => boolean): string[] {
  const uses: string[] = [];
  for (const [path, source] of sources) {
    if (!isChecked(path)) continue;
    for (const specifier of importsOf(source)) {
      if (!specifier.startsWith(".")) uses.push(`${path} imports ${specifier}`);
    }
    if (/\bDeno\./.test(source.replace(/^\s*(\*|\/\/).*$/gm, ""))) {
      uses.push(`${path} uses Deno.*`);
    }
  }
  return uses;
}

Deno.test("only an entry folder imports npm packages, and only its own", () => {
  const uses: string[] = [];
  for (const [path, source] of sources) {
    const allowed = ENTRY_PACKAGES[layerOf(path)] ?? [];
    for (const specifier of importsOf(source)) {
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      if (!allowed.includes(specifier)) {
        uses.push(`${path} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(uses, []);
});

Deno.test("each entry folder's npm packages are mapped in deno.json and optional peers of the npm package", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", root)),
  );
  for (const [folder, packages] of Object.entries(ENTRY_PACKAGES)) {
    assert.equal(config.exports[`./${folder}`], `./${folder}/mod.ts`);
    for (const name of packages) {
      assert.match(
        String(config.scopes?.[`./${folder}/`]?.[name]),
        new RegExp(`^npm:${name}@`),
      );
      assert.ok(name in OPTIONAL_PEERS, `${name} is no optional peer`);
    }
  }
});

Deno.test("the client, timing, protocol and util layers use web APIs only", () => {
  const webOnly = ["client", "timing", "protocol", "util", "testing"];
  assert.deepEqual(runtimeUses((path) => webOnly.includes(layerOf(path))), []);
});

Deno.test("the simulator's handler leaves runtime APIs to its adapters", () => {
  assert.deepEqual(
    runtimeUses((path) =>
      layerOf(path) === "simulator" && !SIMULATOR_RUNTIME_FILES.test(path)
    ),
    [],
  );
});

Deno.test("server.ts loads the simulator's CLI only when run as a program", () => {
  const source = sources.get("server.ts")!;
  const staticImports = importsOf(source.replace(/import\s*\([^)]*\)/g, ""));
  assert.ok(
    staticImports.every((specifier) =>
      !specifier.startsWith("node:") && !/cli/.test(specifier)
    ),
    `server.ts statically imports ${staticImports.join(", ")}`,
  );
});

Deno.test("no source file is longer than 400 lines", () => {
  const long = [...sources]
    .map(([path, source]) => [path, source.split("\n").length] as const)
    .filter(([, lines]) => lines > 400)
    .map(([path, lines]) => `${path}: ${lines} lines`);
  assert.deepEqual(long, []);
});
