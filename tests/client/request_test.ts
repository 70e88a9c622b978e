import assert from "node:assert/strict";
import { TimeoutError, VideoStatusClient } from "../../mod.ts";
import { FakeClock } from "../../testing/fake_clock.ts";

Deno.test("a fetch that answers after its abort (an in-process handler) does not count as an answer", async (t) => {
  // Like the simulator's fetch, which answers an aborted long-poll with a 499.
  const answersAnyway = (request: Request) =>
    new Promise<Response>((resolve) =>
      request.signal.addEventListener(
        "abort",
        () => resolve(new Response(null, { status: 499 })),
        { once: true },
      )
    );
  for (const strategy of ["long-poll", "sse"] as const) {
    await t.step(`${strategy}: abort`, async () => {
      const clock = new FakeClock();
      const client = new VideoStatusClient({
        clock,
        strategy,
        fetch: (input, init) => answersAnyway(new Request(input, init)),
      });
      const controller = new AbortController();
      const reason = new Error("leaving");
      const waiting = client.getStatus({ signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 0));
      controller.abort(reason);
      await assert.rejects(waiting, (error) => error === reason);
    });
    await t.step(`${strategy}: timeout`, async () => {
      const client = new VideoStatusClient({
        clock: new FakeClock(),
        strategy,
        timeout: 5000,
        fetch: (input, init) => answersAnyway(new Request(input, init)),
      });
      await assert.rejects(client.getStatus(), TimeoutError);
    });
  }
});
