import assert from "node:assert/strict";
import { createSimulator } from "../../server.ts";
import { RateLimiter } from "../../simulator/rate_limiter.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { BASE, get } from "./_requests.ts";

Deno.test("rateLimit answers 429 with Retry-After beyond N requests per second per client", async () => {
  const clock = new FakeClock({ start: 10_000, autoAdvance: false });
  await using simulator = createSimulator({ clock, rateLimit: 2 });
  const status = async (
    client: string,
    init: RequestInit = {},
  ): Promise<number> => {
    const response = await get(simulator, "/status", init, client);
    if (response.status === 429) {
      assert.equal(response.headers.get("retry-after"), "1");
      assert.match(
        (await response.json()).error,
        /rate limit of 2 requests per second/,
      );
    } else await response.body?.cancel();
    return response.status;
  };
  assert.equal(await status("a"), 200);
  assert.equal(await status("a"), 200);
  assert.equal(await status("a"), 429);
  assert.equal(await status("b"), 200);
  assert.equal(await status("a", { method: "OPTIONS" }), 204);
  await clock.tick(1_000);
  assert.equal(await status("a"), 200);
  assert.equal(simulator.stats().clients, 1);
});

Deno.test("requests without an address share one rate-limit bucket", async () => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
    rateLimit: 1,
  });
  const first = await simulator.fetch(new Request(`${BASE}/status`));
  const second = await simulator.fetch(new Request(`${BASE}/status`));
  assert.deepEqual([first.status, second.status], [200, 429]);
  await first.body?.cancel();
  await second.body?.cancel();
});

Deno.test("the rate limiter forgets the oldest client when full", () => {
  const limiter = new RateLimiter(1, 3);
  for (const client of ["a", "b", "c", "d", "e"]) limiter.take(client, 0);
  assert.equal(limiter.size, 3);
  assert.equal(limiter.take("e", 1), 1);
  assert.equal(limiter.take("a", 2), 0);
});
