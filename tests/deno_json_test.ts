// deno.json is part of what users run: `deno task demo` installs every npm
// package the project-wide import map names, whether the demo uses it or not.

import assert from "node:assert/strict";

const config = JSON.parse(
  await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
);

Deno.test("deno.json maps no npm package project-wide, so the demo and serve tasks install nothing", () => {
  const npmImports = Object.entries(config.imports ?? {})
    .filter(([, target]) => String(target).startsWith("npm:"));
  assert.deepEqual(npmImports, []);
});
