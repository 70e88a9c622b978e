import assert from "node:assert/strict";
import { abortable } from "../../timing/abortable.ts";

Deno.test("abortable() resolves on the wake-up and removes its listener", async () => {
  const controller = new AbortController();
  const removed: string[] = [];
  const signal = controller.signal;
  const remove = signal.removeEventListener;
  signal.removeEventListener = function (
    this: AbortSignal,
    ...args: Parameters<AbortSignal["removeEventListener"]>
  ): void {
    removed.push(args[0]);
    remove.apply(this, args);
  };
  let disarmed = false;
  await abortable(
    (wake) => queueMicrotask(wake),
    () => disarmed = true,
    controller.signal,
  );
  assert.deepEqual(removed, ["abort"]);
  assert.equal(disarmed, false);
});

Deno.test("abortable() rejects with the abort reason unchanged and disarms", async (t) => {
  const reason = { not: "an Error" };
  await t.step("already aborted: nothing is armed", async () => {
    let armed = false;
    await assert.rejects(
      abortable(() => armed = true, () => {}, AbortSignal.abort(reason)),
      (error) => error === reason,
    );
    assert.equal(armed, false);
  });
  await t.step("aborted while waiting: the wake-up is disarmed", async () => {
    const controller = new AbortController();
    let disarmed: unknown;
    const handle = { timer: 1 };
    const waiting = abortable(
      () => handle,
      (armed) => disarmed = armed,
      controller.signal,
    );
    controller.abort(reason);
    await assert.rejects(waiting, (error) => error === reason);
    assert.equal(disarmed, handle);
  });
});
