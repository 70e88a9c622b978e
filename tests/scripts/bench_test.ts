import assert from "node:assert/strict";
import { plotSvg } from "../../scripts/_plot.ts";
import { longPollSeconds, STRATEGIES } from "../../scripts/_strategies.ts";
import { seededRandom } from "../../util/random.ts";

Deno.test("the benchmark compares the issue's strategies", () => {
  assert.deepEqual(STRATEGIES.map((strategy) => strategy.id), [
    "fixed-1s",
    "seed-backoff",
    "aws-waiter",
    "backoff",
    "learned",
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
  await t.step("fixed-1s", () => {
    assert.equal(
      schedule("fixed-1s", 0.05).nextDelay({ attempt: 9, elapsed: 0 }),
      50,
    );
  });
  await t.step("seed-backoff", () => {
    const seed = schedule("seed-backoff", 0.1);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((attempt) => seed.nextDelay({ attempt, elapsed: 0 })),
      [100, 200, 400, 500, 500],
    );
  });
  await t.step(
    "aws-waiter draws between 2 s and min(120 s, 2 s × 2^(k−1))",
    () => {
      const aws = schedule("aws-waiter", 1);
      assert.equal(aws.nextDelay({ attempt: 1, elapsed: 0 }), 2000);
      for (let attempt = 2; attempt < 12; attempt++) {
        const ceiling = Math.min(120_000, 2000 * 2 ** (attempt - 1));
        for (let i = 0; i < 50; i++) {
          const delay = aws.nextDelay({ attempt, elapsed: 0 });
          assert.ok(delay >= 2000 && delay <= ceiling, `${attempt}: ${delay}`);
        }
      }
    },
  );
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
    { id: "aws-waiter", requestsPerJob: 4.5, latencyP95Ms: 900 },
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
  const aws = labels.find((label) => label.id === "aws-waiter")!;
  assert.ok(aws.x + 7 * "aws-waiter".length <= 720, `${aws.x}`);
  const seed = labels.find((label) => label.id === "seed-backoff")!;
  const backoff = labels.find((label) => label.id === "backoff")!;
  assert.ok(
    Math.abs(seed.y - backoff.y) >= 14 ||
      Math.abs(seed.x - backoff.x) >= 7 * "seed-backoff".length,
  );
});
