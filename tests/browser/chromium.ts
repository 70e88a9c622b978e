// The built npm package's ESM client in headless Chromium: a page on one
// loopback port loads npm/dist/index.js and waits on jobs from the simulator
// on another, so every request is cross-origin and needs its CORS headers.
//
// Run with `deno task test:browser`, which builds the package first. The file
// is not named *_test.ts so that `deno task test` (which must not need
// Chromium) leaves it out. It needs Debian's chromium at /usr/bin/chromium;
// .ci/run installs it.

import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../../server.ts";

const CHROMIUM = "/usr/bin/chromium";
const DIST = join(import.meta.dirname!, "..", "..", "npm", "dist");

/** What the page reports after waiting for a job. */
interface PageResult {
  result?: string;
  source?: string;
  updates?: string[];
  errorName?: string;
  message?: string;
  status?: number;
}

/** A job id, or the script of a job to create. */
type JobToWaitFor = string | {
  duration: number;
  outcome: "completed" | "error";
};

/** What the page adds to its global scope. */
interface PageGlobals {
  waitForScriptedJob(
    serverUrl: string,
    strategy: string,
    job: JobToWaitFor,
  ): Promise<PageResult>;
}

/** The page: it imports the built client and exposes `waitForScriptedJob`. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>video-status-client in a browser</title>
<script type="module">
  import { isHTTPError, VideoStatusClient } from "/dist/index.js";

  globalThis.waitForScriptedJob = async (serverUrl, strategy, job) => {
    const updates = [];
    const client = new VideoStatusClient({
      serverUrl,
      strategy,
      initialDelay: 50,
      maxDelay: 200,
      timeout: 10_000,
      onUpdate: (update) => updates.push(update.result),
    });
    try {
      const target = typeof job === "string" ? job : await client.createJob(job);
      const final = await client.waitForJob(target);
      return { result: final.result, source: final.source, updates };
    } catch (error) {
      return {
        errorName: error.name,
        message: error.message,
        status: isHTTPError(error) ? error.status : undefined,
      };
    }
  };
  globalThis.ready = true;
</script>
`;

/** Serves the page and the built files of `npm/dist/` on a free port. */
function servePage(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request) => {
      const { pathname } = new URL(request.url);
      if (pathname === "/") {
        return new Response(PAGE, {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      }
      const file = /^\/dist\/([\w-]+\.js)$/.exec(pathname)?.[1];
      if (file === undefined) return new Response("Not found", { status: 404 });
      return new Response(await Deno.readFile(join(DIST, file)), {
        headers: { "content-type": "text/javascript; charset=utf-8" },
      });
    },
  );
}

Deno.test("the built client waits on jobs in headless Chromium", async (t) => {
  await Deno.stat(join(DIST, "index.js")).catch(() => {
    throw new Error(
      "Cannot find npm/dist/index.js: run `deno task build:npm` first",
    );
  });
  await using simulator = await serve({ port: 0, seed: 1 });
  await using pageServer = servePage();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-gpu",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${pageServer.addr.port}/`);
    await page.waitForFunction("globalThis.ready === true");
    const wait = (strategy: string, job: JobToWaitFor): Promise<PageResult> =>
      page.evaluate(
        ([url, strategy, job]) =>
          (globalThis as unknown as PageGlobals).waitForScriptedJob(
            url,
            strategy,
            job,
          ),
        [simulator.url, strategy, job] as const,
      );

    for (const strategy of ["poll", "long-poll", "sse"]) {
      await t.step(`${strategy}: a job scripted to complete`, async () => {
        const outcome = await wait(strategy, {
          duration: 300,
          outcome: "completed",
        });
        assert.equal(outcome.result, "completed", JSON.stringify(outcome));
        assert.equal(outcome.source, strategy);
        assert.equal(outcome.updates?.at(-1), "completed");
        // A long-poll's first answer may already be final; a poll's is not.
        if (strategy === "poll") assert.equal(outcome.updates?.[0], "pending");
      });
    }

    await t.step("auto: a job scripted to fail", async () => {
      const outcome = await wait("auto", { duration: 100, outcome: "error" });
      assert.equal(outcome.result, "error", JSON.stringify(outcome));
    });

    await t.step("an unknown job rejects with HTTPError 404", async () => {
      const outcome = await wait("poll", "no-such-job");
      assert.equal(outcome.errorName, "HTTPError", JSON.stringify(outcome));
      assert.equal(outcome.status, 404);
    });

    // Chromium logs every 404 response; the test asked for one.
    const expected = /the server responded with a status of 404/;
    assert.deepEqual(problems.filter((text) => !expected.test(text)), []);
  } finally {
    await browser.close();
  }
});
