import assert from "node:assert/strict";
import {
  type ClientHooks,
  isTimeoutError,
  VideoStatusClient,
  type WaitEndInfo,
} from "../../mod.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { json, type Step } from "../../testing/scripted_fetch.ts";
import { seededRandom } from "../../util/random.ts";
import { completed, pending, setup, statusStream } from "./_setup.ts";

/** Hooks that record each call, in order, with the contexts they pass on. */
function recorder(): {
  hooks: ClientHooks<string, string>;
  calls: string[];
  ends: WaitEndInfo<string>[];
} {
  const calls: string[] = [];
  const ends: WaitEndInfo<string>[] = [];
  let waits = 0;
  let requests = 0;
  const hooks: ClientHooks<string, string> = {
    onWaitStart: ({ jobId, dialect, strategy, step }) => {
      const wait = `w${++waits}`;
      calls.push(
        `start ${wait} ${jobId} ${dialect} ${strategy}${
          step === undefined ? "" : ` step ${step}`
        }`,
      );
      return wait;
    },
    onWaitEnd: (info) => {
      ends.push(info);
      calls.push(`end ${info.wait} ${info.outcome} ${info.requests}`);
    },
    onRequest: ({ method, url, wait }) => {
      const request = `r${++requests}`;
      calls.push(`request ${request} ${wait} ${method} ${url}`);
      return request;
    },
    onResponse: ({ request, wait, status }) =>
      calls.push(`response ${request} ${wait} ${status}`),
    onRequestError: ({ request, wait, error }) =>
      calls.push(`error ${request} ${wait} ${(error as Error).name}`),
  };
  return { hooks, calls, ends };
}

Deno.test("hooks hear a wait, each of its requests and how each ended, in order", async () => {
  const { hooks, calls, ends } = recorder();
  const { client } = setup([
    pending(),
    json({ error: "busy" }, { status: 503 }),
    new TypeError("connection reset"),
    completed(),
  ], { hooks, serverUrl: "http://api.test" });
  const final = await client.waitForJob("a1");
  const url = "http://api.test/jobs/a1";
  assert.deepEqual(calls, [
    "start w1 a1 video-status poll",
    `request r1 w1 GET ${url}`,
    "response r1 w1 200",
    `request r2 w1 GET ${url}`,
    "response r2 w1 503",
    `request r3 w1 GET ${url}`,
    "error r3 w1 NetworkError",
    `request r4 w1 GET ${url}`,
    "response r4 w1 200",
    "end w1 completed 4",
  ]);
  assert.equal(ends[0].update, final);
  assert.equal(ends[0].timeout, client.timeout);
});

Deno.test("hooks count every request a wait sends, whatever the answers (any script)", async () => {
  const random = seededRandom(42);
  for (let run = 0; run < 50; run++) {
    const steps: Step[] = [];
    const length = Math.floor(random() * 6);
    for (let i = 0; i < length; i++) {
      const draw = random();
      steps.push(
        draw < 0.4
          ? pending()
          : draw < 0.7
          ? json({}, { status: 500 })
          : new TypeError("reset"),
      );
    }
    steps.push(random() < 0.5 ? completed() : json({ result: "error" }));
    const { hooks, calls, ends } = recorder();
    const { client, requests } = setup(steps, { hooks, maxRetries: 10 });
    const final = await client.waitForJob("a1");
    const started = calls.filter((call) => call.startsWith("request")).length;
    const ended = calls.filter((call) => /^(response|error) /.test(call));
    assert.equal(started, requests.length);
    assert.equal(ended.length, requests.length);
    assert.equal(ends.length, 1);
    assert.equal(ends[0].requests, requests.length);
    assert.equal(ends[0].outcome, final.result);
  }
});

Deno.test("a wait's end says why it ended: timeout, aborted, failed", async (t) => {
  await t.step("timeout", async () => {
    const { hooks, ends } = recorder();
    const { client } = setup([pending()], { hooks });
    const error = await client.waitForJob("a1", { timeout: 5_000 }).catch((
      error,
    ) => error);
    assert.ok(isTimeoutError(error));
    assert.equal(ends[0].outcome, "timeout");
    assert.equal(ends[0].error, error);
  });
  await t.step("aborted", async () => {
    const { hooks, ends } = recorder();
    const { client } = setup([pending()], { hooks });
    const reason = new Error("stop");
    await assert.rejects(
      client.waitForJob("a1", { signal: AbortSignal.abort(reason) }),
      (error) => error === reason,
    );
    assert.equal(ends[0].outcome, "aborted");
    assert.equal(ends[0].requests, 0);
  });
  await t.step("failed", async () => {
    const { hooks, ends, calls } = recorder();
    const { client } = setup([json({}, { status: 404 })], { hooks });
    await assert.rejects(client.waitForJob("a1"), { name: "HTTPError" });
    assert.equal(ends[0].outcome, "failed");
    assert.ok(calls.includes("response r1 w1 404"));
  });
});

Deno.test("headers that onRequest sets go with the request; the transport's own win", async () => {
  const { client, requests } = setup([completed()], {
    strategy: "long-poll",
    hooks: {
      onRequest: ({ headers }) => {
        headers.set(
          "traceparent",
          "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        );
        headers.set("prefer", "wait=1");
      },
    },
  });
  await client.waitForJob("a1");
  assert.equal(
    requests[0].headers.get("traceparent"),
    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  );
  assert.equal(requests[0].headers.get("prefer"), "wait=30");
});

Deno.test("requests outside a wait are hooked with no wait: check, createJob, cancel", async () => {
  const { hooks, calls } = recorder();
  const { client } = setup([json({ id: "a1", result: "pending" })], {
    hooks,
    serverUrl: "http://api.test",
  });
  await client.check("a1");
  await client.createJob();
  await client.cancel("a1");
  assert.deepEqual(calls, [
    "request r1 undefined GET http://api.test/jobs/a1",
    "response r1 undefined 200",
    "request r2 undefined POST http://api.test/jobs",
    "response r2 undefined 200",
    "request r3 undefined POST http://api.test/jobs/a1/cancel",
    "response r3 undefined 200",
  ]);
});

Deno.test("an event stream is one request of its wait", async () => {
  const { hooks, calls } = recorder();
  const { client } = setup([
    statusStream([{ result: "pending" }, { result: "completed" }]),
  ], { hooks, strategy: "sse", serverUrl: "http://api.test" });
  await client.waitForJob("a1");
  assert.deepEqual(calls, [
    "start w1 a1 video-status sse",
    "request r1 w1 GET http://api.test/jobs/a1/events",
    "response r1 w1 200",
    "end w1 completed 1",
  ]);
});

Deno.test("a hook that throws changes nothing: the wait ends as without hooks, onHookError hears each", async () => {
  const thrown: string[] = [];
  const boom = (): never => {
    throw new Error("hook failed");
  };
  const { client, requests } = setup([pending(), completed()], {
    hooks: {
      onWaitStart: boom,
      onWaitEnd: boom,
      onRequest: boom,
      onResponse: boom,
      onRequestError: boom,
      onHookError: (error, hook) => {
        thrown.push(`${hook}: ${(error as Error).message}`);
        throw new Error("and so does this one");
      },
    },
  });
  const final = await client.waitForJob("a1");
  assert.equal(final.result, "completed");
  assert.equal(requests.length, 2);
  assert.deepEqual(thrown, [
    "onWaitStart: hook failed",
    "onRequest: hook failed",
    "onResponse: hook failed",
    "onRequest: hook failed",
    "onResponse: hook failed",
    "onWaitEnd: hook failed",
  ]);
});

Deno.test("the hooks option is checked when the client is made", () => {
  for (const hooks of [null, 1, "x"]) {
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => new VideoStatusClient({ hooks: hooks as any }),
      { name: "TypeError", message: /'hooks' must be an object/ },
    );
  }
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new VideoStatusClient({ hooks: { onRequest: 1 } as any }),
    { name: "TypeError", message: /'hooks.onRequest' must be a function/ },
  );
  const clock = new FakeClock();
  assert.ok(new VideoStatusClient({ hooks: {}, clock }));
});

Deno.test("each step is hooked as a wait of one request, named by the attempt it sends; it ends pending until the last", async () => {
  const { hooks, calls, ends } = recorder();
  const { client, clock } = setup([
    pending(),
    json({ error: "busy" }, { status: 503 }),
    completed(),
  ], { hooks, serverUrl: "http://api.test" });
  let result = await client.step("a1", { timeout: 60_000 });
  while (!result.done) {
    await clock.sleep(result.delay);
    result = await client.step(JSON.parse(JSON.stringify(result.state)));
  }
  const url = "http://api.test/jobs/a1";
  assert.deepEqual(calls, [
    "start w1 a1 video-status poll step 1",
    `request r1 w1 GET ${url}`,
    "response r1 w1 200",
    "end w1 pending 1",
    "start w2 a1 video-status poll step 2",
    `request r2 w2 GET ${url}`,
    "response r2 w2 503",
    "end w2 pending 1",
    "start w3 a1 video-status poll step 3",
    `request r3 w3 GET ${url}`,
    "response r3 w3 200",
    "end w3 completed 1",
  ]);
  assert.equal(ends[0].update, undefined);
  assert.equal(ends[2].update, result.update);
  assert.equal(ends[2].timeout, 60_000);
});

Deno.test("a step past its deadline is hooked as a wait that timed out, with no request", async () => {
  const { hooks, calls, ends } = recorder();
  const { client, clock } = setup([pending()], { hooks });
  const first = await client.step("a1", { timeout: 1_000 });
  await clock.sleep(5_000);
  await assert.rejects(client.step(first.state), isTimeoutError);
  assert.deepEqual(calls.slice(-2), [
    "start w2 a1 video-status poll step 2",
    "end w2 timeout 0",
  ]);
  assert.ok(isTimeoutError(ends[1].error));
});
