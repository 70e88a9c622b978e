// The abuse run's loads, small and against an in-process simulator: the slow
// and idle connections are closed by its timeouts and reconnect, the steady
// traffic keeps its connections, and everything stops when told.

import assert from "node:assert/strict";
import { attack, newcomers, TrafficPool } from "../../scripts/_abuse.ts";
import { serve } from "../../server.ts";

Deno.test("the abuse run's loads are closed by the simulator, reconnect, and stop", async () => {
  await using server = await serve({
    port: 0,
    headerTimeout: 100,
    idleTimeout: 100,
  });
  const stop = new AbortController();
  const attacks = [
    attack(server.port, 5, "idle", stop.signal),
    attack(server.port, 5, "slow", stop.signal),
  ];
  const traffic = new TrafficPool(server.port, 2);
  const [result, fresh] = await Promise.all([
    traffic.run(1.5),
    newcomers(server.port, 1),
  ]);
  stop.abort();
  const [idle, slow] = await Promise.all(attacks);
  traffic.close();
  assert.equal(result.errors, 0);
  assert.ok(result.latencies.length > 0);
  assert.equal(fresh.errors, 0);
  for (const { opened, closedByServer } of [idle, slow]) {
    assert.ok(closedByServer >= 5, `only ${closedByServer} closed`);
    // Reconnected: more than the 5 first connections. (Every connection may
    // be between a close and its next open at the abort, on a busy machine.)
    assert.ok(opened > 5, `only ${opened} opened`);
  }
});
