import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { preciseClock } from "../../../simulator/adapters/precise_clock.ts";

Deno.test("preciseClock sleeps never end early", async () => {
  for (const ms of [0, 1, 30]) {
    const start = preciseClock.now();
    await preciseClock.sleep(ms);
    const slept = preciseClock.now() - start;
    assert.ok(slept >= ms, `${ms} ms ended after ${slept}`);
    // Generous: only a sleep that never ends fails here.
    assert.ok(slept < ms + 5_000, `${ms} ms ended after ${slept}`);
  }
});

Deno.test("preciseClock sleeps reject with the abort reason in any phase", async () => {
  const reason = new Error("stop");
  await assert.rejects(
    preciseClock.sleep(10, AbortSignal.abort(reason)),
    (error) => error === reason,
  );
  // Aborted while the early timer is armed, and (most likely) while it
  // yields turn by turn just before it is due.
  for (const abortAt of [0, 19]) {
    const controller = new AbortController();
    const start = preciseClock.now();
    const sleeping = preciseClock.sleep(20, controller.signal);
    while (preciseClock.now() - start < abortAt) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    // A loaded machine may overshoot the due time: then the sleep may have
    // ended already, and only an abort before it is due must reject.
    const due = preciseClock.now() - start < 20;
    controller.abort(reason);
    if (due) await assert.rejects(sleeping, (error) => error === reason);
    else await sleeping.catch((error) => assert.equal(error, reason));
  }
});
