import assert from "node:assert/strict";
import type { Detection } from "../../scripts/_bench_run.ts";
import type { BenchBooks } from "../../scripts/_bench_server.ts";
import { STRATEGIES } from "../../scripts/_strategies.ts";
import {
  WEBHOOK_STAGES,
  webhookStageLines,
  webhookStages,
} from "../../scripts/_webhook_stages.ts";
import { seededRandom } from "../../util/random.ts";

const WEBHOOK = STRATEGIES.find((strategy) => strategy.id === "webhook")!;
const SSE = STRATEGIES.find((strategy) => strategy.id === "sse")!;

/** Jobs with random stage durations, and books that match them. */
function run(count: number, seed: number) {
  const random = seededRandom(seed);
  const books: BenchBooks = {
    requests: new Map(),
    createdAt: new Map(),
    callbackSentAt: new Map(),
  };
  const detections: Detection[] = [];
  const expected: number[][] = WEBHOOK_STAGES.map(() => []);
  for (let job = 0; job < count; job++) {
    const id = `job${job}`;
    const createdAt = 1_000 * job + random();
    const duration = 1 + Math.floor(random() * 500);
    books.createdAt.set(id, createdAt);
    const told = job % 4 !== 3;
    const stages = WEBHOOK_STAGES.map(() => random() * 5);
    let at = createdAt + duration;
    const times = stages.map((stage) => at += stage);
    if (told) {
      books.callbackSentAt.set(`msg_${id}`, times[0]);
      stages.forEach((stage, i) => expected[i].push(stage));
    }
    detections.push({
      id,
      duration,
      learnedAt: told ? times[3] : at + 3_000,
      source: told ? "webhook" : "poll",
      ...told && {
        webhook: { id: `msg_${id}`, arrivedAt: times[1], heardAt: times[2] },
      },
    });
  }
  return { books, detections, expected };
}

Deno.test("webhookStages() splits each told job's latency into its stages, which add up to it", () => {
  for (const seed of [1, 2, 3]) {
    const { books, detections, expected } = run(40, seed);
    const stages = webhookStages(detections, books);
    assert.equal(stages.length, WEBHOOK_STAGES.length);
    stages.forEach((values, i) => {
      assert.equal(values.length, 30, "the jobs a webhook told only");
      values.forEach((value, job) => {
        assert.ok(Math.abs(value - expected[i][job]) < 1e-9, `${value}`);
      });
    });
    const told = detections.filter((detection) => detection.webhook);
    told.forEach((detection, job) => {
      const latency = detection.learnedAt -
        (books.createdAt.get(detection.id)! + detection.duration);
      const sum = stages.reduce((total, values) => total + values[job], 0);
      assert.ok(Math.abs(sum - latency) < 1e-9);
    });
  }
});

Deno.test("webhookStageLines() reports a webhook strategy's stages, and nothing for others", () => {
  const { books, detections } = run(8, 4);
  const [line, ...rest] = webhookStageLines(WEBHOOK, detections, books);
  assert.equal(rest.length, 0);
  assert.match(line, /^`webhook` by stage over the 6 jobs a webhook told/);
  for (const stage of WEBHOOK_STAGES) {
    assert.ok(line.includes(stage), stage);
  }
  assert.equal(line.match(/\d+\.\d\d \/ \d+\.\d\d ms/g)?.length, 4);
  assert.deepEqual(webhookStageLines(SSE, detections, books), []);
});
