import assert from "node:assert/strict";

const SCRIPT = new URL("../../scripts/simulate.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

async function simulate(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    // As `deno task simulate` runs it: no permissions.
    args: ["run", "--config", CONFIG, SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("deno task simulate --help documents --seed and runs nothing", async () => {
  for (const flag of ["--help", "-h"]) {
    const { code, stdout } = await simulate(flag);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: deno task simulate/);
    assert.match(stdout, /--seed N/);
    assert.doesNotMatch(stdout, /\| workload \|/);
  }
});

Deno.test("deno task simulate rejects an unknown flag or a bad seed in one line", async () => {
  for (const args of [["--bogus"], ["--seed", "0"], ["--seed", "-2"]]) {
    const { code, stdout, stderr } = await simulate(...args);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
  }
});
