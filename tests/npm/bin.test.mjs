// Smoke test of the `video-status-client-server` command of the installed
// npm package: the same flags as `deno run server.ts`, a `Listening on` line
// to wait for, and a clean exit on SIGTERM. Under Bun the command runs with
// Bun; the `.bin` link npm created is run as installed.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { VideoStatusClient } from "video-status-client";

const require = createRequire(import.meta.url);
const manifest = require.resolve("video-status-client/package.json");
const { bin } = require(manifest);
const cli = join(dirname(manifest), bin["video-status-client-server"]);
const link = join(
  dirname(manifest),
  "..",
  ".bin",
  "video-status-client-server",
);

/** Runs a command to its end; resolves with its exit code and output. */
function runToEnd(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => stdout += chunk);
    child.stderr.on("data", (chunk) => stderr += chunk);
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("video-status-client-server", () => {
  const children = [];

  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill();
  });

  test("--help lists the flags and exits 0", async () => {
    const { code, stdout } = await runToEnd(process.execPath, [cli, "--help"]);
    assert.equal(code, 0);
    for (const flag of ["--port", "--hostname", "--min-duration", "--seed"]) {
      assert.ok(stdout.includes(flag), `--help lacks ${flag}`);
    }
    // It tells a Node.js user how to run this command, not `deno run`.
    assert.match(stdout, /^Usage: video-status-client-server \[options\]/);
    assert.ok(!stdout.includes("deno run"), "--help names deno run");
  });

  test("the linked command runs", async () => {
    const { code, stdout } = await runToEnd(link, ["--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /--max-jobs/);
  });

  test("a bad flag exits 2 with a message naming it", async () => {
    const { code, stderr } = await runToEnd(process.execPath, [
      cli,
      "--port",
      "-1",
    ]);
    assert.equal(code, 2);
    assert.match(stderr.trim(), /^[^\n]*--port[^\n]*$/);
  });

  test("--port 0 serves jobs until SIGTERM", async () => {
    const child = spawn(process.execPath, [
      cli,
      "--port",
      "0",
      "--min-duration",
      "0.2",
      "--max-duration",
      "0.2",
      "--error-rate",
      "0",
    ], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const lines = createInterface({ input: child.stdout });
    let url;
    for await (const line of lines) {
      url = /^Listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (url !== undefined) break;
    }
    assert.ok(url, "no 'Listening on' line");
    const client = new VideoStatusClient({ serverUrl: url, initialDelay: 50 });
    assert.equal(await client.getStatus({ timeout: 10_000 }), "completed");
    const job = await client.createJob({ duration: 100, outcome: "error" });
    assert.equal((await client.waitForJob(job)).result, "error");
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });
});
