import assert from "node:assert/strict";

interface Dependency {
  specifier: string;
  isDynamic?: boolean;
  code?: { specifier: string };
  type?: { specifier: string };
}

interface ModuleInfo {
  specifier: string;
  dependencies?: Dependency[];
}

/** The modules a file loads when it is imported, as `deno info` sees them. */
async function staticGraph(file: string): Promise<Set<string>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(file, import.meta.url).pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(output.success, "deno info failed");
  const { roots, modules } = JSON.parse(
    new TextDecoder().decode(output.stdout),
  ) as { roots: string[]; modules: ModuleInfo[] };
  const bySpecifier = new Map(modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string): void => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dependency.isDynamic) continue;
      const target = dependency.code?.specifier;
      if (target !== undefined) visit(target);
    }
  };
  for (const root of roots) visit(root);
  return seen;
}

Deno.test("importing server.ts loads neither the CLI nor node:process", async () => {
  const graph = [...await staticGraph("../../server.ts")];
  assert.ok(
    graph.some((specifier) => specifier.endsWith("/simulator/serve.ts")),
  );
  assert.deepEqual(
    graph.filter((specifier) =>
      specifier.endsWith("/simulator/cli.ts") || specifier === "node:process"
    ),
    [],
  );
});

Deno.test("the handler loads no runtime API: no node: module, no adapter", async () => {
  const graph = [...await staticGraph("../../simulator/simulator.ts")];
  assert.deepEqual(
    graph.filter((specifier) =>
      specifier.startsWith("node:") || specifier.includes("/adapters/")
    ),
    [],
  );
});
