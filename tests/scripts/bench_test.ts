import assert from "node:assert/strict";
import { plotSvg } from "../../scripts/_plot.ts";
import { longPollSeconds, STRATEGIES } from "../../scripts/_strategies.ts";
import { seededRandom } from "../../util/random.ts";

Deno.test("the benchmark compares the issue's strategies", () => {
  assert.deepEqual(STRATEGIES.map((strategy) => strategy.id), [
    "p-wait-for-1s",
    "seed-backoff",
    "smithy-waiter",
    "p-retry",
    "backoff",
    "learned",
    "learned-target",
    "long-poll",
    "sse",
    "webhook",
    "webhook-20%-dropped",
  ]);
  const push = ["long-poll", "sse", "webhook", "webhook-20%-dropped"];
  for (const strategy of STRATEGIES) {
    assert.equal(
      strategy.server,
      push.includes(strategy.id) ? "full" : "legacy",
    );
  }
  assert.deepEqual(
    STRATEGIES.flatMap((strategy) =>
      strategy.webhookDropRate === undefined
        ? []
        : [[strategy.id, strategy.webhookDropRate]]
    ),
    [["webhook", 0], ["webhook-20%-dropped", 0.2]],
  );
});

Deno.test("benchmark strategies scale every delay by the time scale", async (t) => {
  const schedule = (id: string, scale: number) =>
    STRATEGIES.find((strategy) => strategy.id === id)!
      .options(scale, seededRandom(1)).schedule!;
  await t.step("seed-backoff", () => {
    const seed = schedule("seed-backoff", 0.1);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((attempt) => seed.nextDelay({ attempt, elapsed: 0 })),
      [100, 200, 400, 500, 500],
    );
  });
  await t.step(
    "push strategies hold requests whole seconds, at least one",
    () => {
      assert.equal(longPollSeconds(0.05), 1);
      assert.equal(longPollSeconds(0.1), 3);
      assert.equal(longPollSeconds(1), 30);
      const longPoll = STRATEGIES.find((strategy) =>
        strategy.id === "long-poll"
      )!;
      assert.equal(longPoll.options(0.1, Math.random).longPollWait, 3000);
    },
  );
});

Deno.test("plotSvg() draws one labelled point per strategy", () => {
  const svg = plotSvg([
    { id: "seed-backoff", requestsPerJob: 5.3, latencyP95Ms: 240 },
    { id: "backoff", requestsPerJob: 5.4, latencyP95Ms: 230 },
    { id: "a<b", requestsPerJob: 1, latencyP95Ms: 2 },
    { id: "smithy-waiter", requestsPerJob: 4.5, latencyP95Ms: 900 },
  ], "Title & more");
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.equal(svg.match(/<circle /g)?.length, 4);
  assert.ok(svg.includes(">a&lt;b</text>"));
  assert.ok(svg.includes(">Title &amp; more</text>"));
  // The two close points get labels that do not overlap.
  const labels = [
    ...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)">(\w[\w-]*)</g),
  ]
    .map(([, x, y, id]) => ({ x: Number(x), y: Number(y), id }));
  // The rightmost label stays on the canvas.
  const smithy = labels.find((label) => label.id === "smithy-waiter")!;
  assert.ok(smithy.x + 7 * "smithy-waiter".length <= 720, `${smithy.x}`);
  const seed = labels.find((label) => label.id === "seed-backoff")!;
  const backoff = labels.find((label) => label.id === "backoff")!;
  assert.ok(
    Math.abs(seed.y - backoff.y) >= 14 ||
      Math.abs(seed.x - backoff.x) >= 7 * "seed-backoff".length,
  );
});
