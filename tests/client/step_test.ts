import assert from "node:assert/strict";
import {
  RetryError,
  TimeoutError,
  VideoStatusClient,
  WAIT_STATE_FORMAT,
  type WaitState,
} from "../../mod.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { hang, json } from "../../testing/scripted_fetch.ts";
import { completed, pending, setup } from "./_setup.ts";

/** A state after one pending step, and the fixture that made it. */
async function pendingState() {
  const fixture = setup([pending(), completed()], { timeout: 10_000 });
  const first = await fixture.client.step("j1");
  assert.equal(first.done, false);
  return { ...fixture, state: first.state };
}

Deno.test("step() sends one request, never sleeps, and says when to ask again", async () => {
  const { client, clock, requests, updates } = setup([pending(), completed()], {
    initialDelay: 1000,
    schedule: { nextDelay: () => 1500 },
  });
  const before = clock.now();
  const first = await client.step("j1", { timeout: 10_000 });
  assert.equal(clock.now(), before);
  assert.equal(first.done, false);
  assert.equal(first.update?.result, "pending");
  assert.equal(first.delay, 1500);
  assert.equal(first.update?.nextDelay, 1500);
  assert.equal(requests.length, 1);
  assert.equal(first.state.format, WAIT_STATE_FORMAT);
  assert.equal(first.state.url, "http://127.0.0.1:5000/jobs/j1");
  assert.equal(first.state.deadline - first.state.timeout, clock.now());
  assert.equal(first.state.attempts, 1);
  const second = await client.step(first.state);
  assert.equal(second.done, true);
  assert.equal(second.delay, undefined);
  assert.equal(second.update.result, "completed");
  assert.equal(second.update.attempt, 2);
  assert.deepEqual(updates.map((u) => u.result), ["pending", "completed"]);
  // The state given is not changed: the caller may keep it.
  assert.equal(first.state.attempts, 1);
});

Deno.test("a failed request is a step without update, with the backoff's delay; past maxRetries the step throws RetryError", async () => {
  const boom = () => json({ error: "boom" }, { status: 500 });
  const { client, retries } = setup([boom(), boom(), boom()], {
    maxRetries: 1,
    initialDelay: 700,
  });
  const first = await client.step("j1");
  assert.equal(first.done, false);
  assert.equal(first.update, undefined);
  assert.equal(first.delay, 700);
  assert.equal(first.state.failures, 1);
  assert.deepEqual(retries.map((r) => r.nextDelay), [700]);
  await assert.rejects(client.step(first.state), (error) => {
    assert.ok(error instanceof RetryError);
    assert.equal(error.failures, 2);
    return true;
  });
});

Deno.test("a step at or past the deadline throws the wait's TimeoutError and sends nothing", async () => {
  const { client, clock, requests, state } = await pendingState();
  await clock.tick(10_000);
  await assert.rejects(client.step(state), (error) => {
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.timeout, 10_000);
    assert.equal(error.attempts, 1);
    assert.equal(error.lastStatus, "pending");
    return true;
  });
  assert.equal(requests.length, 1);
});

Deno.test("a step's delay never reaches past the deadline", async () => {
  const { client } = setup([pending()], {
    schedule: { nextDelay: () => 60_000 },
  });
  const first = await client.step("j1", { timeout: 5_000 });
  assert.equal(first.done, false);
  assert.equal(first.delay, 5_000);
});

Deno.test("step() and a resumed waitForJob() reject with the abort reason unchanged, and the state stays valid", async (t) => {
  await t.step("aborted before: nothing is sent", async () => {
    const { client, requests, state } = await pendingState();
    const reason = new Error("stop");
    await assert.rejects(
      client.step(state, { signal: AbortSignal.abort(reason) }),
      (error) => error === reason,
    );
    await assert.rejects(
      client.waitForJob(state, { signal: AbortSignal.abort(reason) }),
      (error) => error === reason,
    );
    assert.equal(requests.length, 1);
  });
  await t.step("aborted in flight: the request is aborted", async () => {
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const { client, clock } = setup([
      pending(),
      (request) => {
        // Once the request is under way.
        queueMicrotask(() => controller.abort(reason));
        return hang(request);
      },
      completed(),
    ]);
    const first = await client.step("j1");
    assert.equal(first.done, false);
    await clock.sleep(first.delay);
    await assert.rejects(
      client.step(first.state, { signal: controller.signal }),
      (error) => error === reason,
    );
    // As far as the state goes, the aborted step never happened.
    const again = await client.step(first.state);
    assert.equal(again.done, true);
    assert.equal(again.update.attempt, 2);
  });
});

Deno.test("a job whose create answer held its final update ends at the first step without a request", async () => {
  const { client, requests, updates } = setup([completed()]);
  const final = {
    result: "completed" as const,
    status: "completed",
    body: { result: "completed" },
    payload: { result: "completed" },
    attempt: 1,
    elapsed: 10,
    nextDelay: undefined,
    source: "poll" as const,
    url: "http://127.0.0.1:5000/jobs/j1",
  };
  const result = await client.step({
    id: "j1",
    url: "http://127.0.0.1:5000/jobs/j1",
    result: "completed",
    createdAt: 0,
    final,
  });
  assert.equal(result.done, true);
  assert.equal(result.update, final);
  assert.equal(requests.length, 0);
  assert.deepEqual(updates, [final]);
  // An ended wait is not resumed.
  await assert.rejects(client.step(result.state), TypeError);
});

Deno.test("a corrupt, foreign or ended state is a TypeError naming what is wrong, and nothing is sent", async (t) => {
  const { client, requests, state } = await pendingState();
  const sent = requests.length;
  const refuse = async (value: unknown, match: RegExp, via = "step") => {
    const attempt = via === "step"
      ? client.step(value as WaitState)
      : client.waitForJob(value as WaitState);
    await assert.rejects(attempt, (error) => {
      assert.ok(error instanceof TypeError, String(error));
      assert.match(error.message, match);
      return true;
    });
  };
  await t.step("another format or version", async () => {
    await refuse(
      { ...state, format: "video-status-client/wait@2" },
      /'state\.format'.*wait@2/,
    );
    await refuse({ ...state, format: "core-lro" }, /'state\.format'/, "wait");
    await refuse({ format: WAIT_STATE_FORMAT }, /'state\./);
  });
  await t.step("a field the format does not know", async () => {
    await refuse({ ...state, retries: 3 }, /'retries'/);
  });
  await t.step("every field missing, or of a wrong type or range", async () => {
    const wrong: Record<string, unknown[]> = {
      dialect: [undefined, 1],
      url: [undefined, 1, "not a url", "ftp://127.0.0.1:5000/jobs/j1"],
      jobId: [undefined, 1, ""],
      timeout: [undefined, "1", 0, NaN, Infinity, null],
      deadline: [undefined, "1", NaN, null],
      startedAt: [undefined, Infinity, null],
      startKnown: [undefined, 1, null],
      attempts: [undefined, -1, 1.5, "1", null],
      failures: [undefined, -1, 0.5],
      paced: [undefined, -1, 2],
      lastStatus: [undefined, "done", 1],
      lastSentAt: [undefined, "0", NaN],
      nextAt: [undefined, Infinity, {}],
      pendingSeenAt: [undefined, []],
      lastWasPending: [undefined, "true"],
      longPoll: [undefined, "sometimes"],
    };
    // Every field of the format is covered.
    assert.deepEqual(
      Object.keys(wrong).sort(),
      Object.keys(state).filter((key) => key !== "format").sort(),
    );
    for (const [key, values] of Object.entries(wrong)) {
      for (const value of values) {
        const candidate: Record<string, unknown> = { ...state, [key]: value };
        if (value === undefined) delete candidate[key];
        await refuse(candidate, new RegExp(`'state\\.${key}'`));
        await refuse(candidate, new RegExp(`'state\\.${key}'`), "wait");
      }
    }
  });
  await t.step("a count beyond the attempts", async () => {
    await refuse(
      { ...state, failures: 2 },
      /'state\.failures' must be a non-negative integer up to 'attempts'/,
    );
  });
  await t.step("fields that contradict each other", async () => {
    // The wait of an id started at `startedAt`: its deadline is the timeout after.
    await refuse(
      { ...state, deadline: state.deadline + 60_000 },
      /'state\.deadline' must be 'state\.startedAt' \+ 'state\.timeout'/,
    );
    await refuse({ ...state, timeout: 600_000 }, /'state\.deadline'/, "wait");
    // A pending status was heard (`lastStatus`) when, and only when, `pendingSeenAt` says.
    await refuse({ ...state, lastStatus: null }, /'state\.pendingSeenAt'/);
    await refuse({ ...state, pendingSeenAt: null }, /'state\.pendingSeenAt'/);
    await refuse(
      { ...state, lastStatus: null, pendingSeenAt: null },
      /'state\.lastWasPending'/,
    );
    // No request sent, nothing heard.
    await refuse(
      { ...state, attempts: 0 },
      /'state\.lastSentAt' must be null while 'state\.attempts' is 0/,
    );
    // Nothing happens before the wait starts.
    await refuse(
      { ...state, lastSentAt: state.startedAt - 1 },
      /'state\.lastSentAt' must be at least 'state\.startedAt'/,
    );
    await refuse(
      { ...state, pendingSeenAt: state.startedAt - 1 },
      /'state\.pendingSeenAt' must be at least 'state\.startedAt'/,
    );
  });
  await t.step("another dialect", async () => {
    for (const via of ["step", "wait"]) {
      await refuse(
        { ...state, dialect: "replicate" },
        /dialect "video-status": current value is "replicate"/,
        via,
      );
    }
  });
  await t.step("an origin the client may not request", async () => {
    await refuse(
      { ...state, url: "http://evil.test/jobs/j1" },
      /'state\.url' must be on the origin/,
    );
  });
  await t.step("a wait that has ended", async () => {
    await refuse({ ...state, lastStatus: "completed" }, /has ended/);
  });
  await t.step("not an object with a format, or a serialized one", async () => {
    await refuse(null, /must be an id or a job/);
    await refuse(JSON.stringify(state), /serialized state/);
  });
  await t.step("a timeout with a state", async () => {
    await assert.rejects(client.step(state, { timeout: 5 }), TypeError);
    await assert.rejects(client.waitForJob(state, { timeout: 5 }), TypeError);
  });
  assert.equal(requests.length, sent);
});

Deno.test("a state outlives its client: another client of the same settings continues it", async () => {
  const clock = new FakeClock();
  const answers = [pending(), completed()];
  const fetch = () => Promise.resolve(answers.shift()!);
  const make = () => new VideoStatusClient({ clock, fetch, strategy: "poll" });
  const first = await make().step("j1");
  assert.equal(first.done, false);
  await clock.sleep(first.delay);
  const final = await make().waitForJob(
    JSON.parse(JSON.stringify(first.state)),
  );
  assert.equal(final.result, "completed");
  assert.equal(final.attempt, 2);
});

Deno.test("a step polls whatever the strategy: one request, not a stream or a socket", async () => {
  for (const strategy of ["sse", "websocket", "long-poll", "poll"] as const) {
    const { client, requests } = setup([pending()], { strategy });
    const result = await client.step("j1");
    assert.equal(result.done, false, strategy);
    assert.equal(requests.length, 1, strategy);
    assert.equal(requests[0].headers.get("accept"), "application/json");
    // A long-poll strategy asks the server to hold the request; others may, until it shows it does not.
    assert.equal(
      requests[0].headers.get("prefer") !== null,
      strategy !== "poll",
      strategy,
    );
    // "auto" learns from this answer that the server does not hold requests.
    assert.equal(
      result.state.longPoll,
      strategy === "long-poll" ? "always" : "never",
      strategy,
    );
  }
});
