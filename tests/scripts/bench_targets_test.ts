import assert from "node:assert/strict";
import {
  checkedP99,
  type JudgedRun,
  requestBound,
  targetLines,
  webhookLatency,
} from "../../scripts/_bench_targets.ts";
import { summarize } from "../../scripts/_stats.ts";
import { STRATEGIES } from "../../scripts/_strategies.ts";
import type { UpdateSource } from "../../mod.ts";

const byId = (id: string) => STRATEGIES.find((strategy) => strategy.id === id)!;

// A run of four jobs: the first told by poll 2 s late, the others by webhook.
function run(id: string, requests: number[]): JudgedRun {
  const latencies = [2000, 1, 2, 3];
  const sources: UpdateSource[] = ["poll", "webhook", "webhook", "webhook"];
  return {
    strategy: byId(id),
    summary: summarize(requests, latencies),
    requests,
    latencies,
    sources,
  };
}

Deno.test("webhook waits may send the first request, a safety poll per delay, and one more", () => {
  // At time scale 0.05 the safety net polls every 3 s.
  const webhook = byId("webhook");
  assert.equal(webhook.options(0.05, Math.random).webhookSafetyDelay, 3000);
  assert.equal(requestBound(webhook, 500, 0.05), 2);
  assert.equal(requestBound(webhook, 2999, 0.05), 2);
  assert.equal(requestBound(webhook, 3000, 0.05), 3);
  assert.equal(requestBound(byId("webhook-20%-dropped"), 6500, 0.05), 4);
  // Long-poll and SSE keep theirs; polling strategies have none.
  assert.equal(requestBound(byId("sse"), 1500, 0.05), 3);
  assert.equal(requestBound(byId("learned"), 1500, 0.05), undefined);
});

Deno.test("with webhooks dropped, the p99 checked is the one of the jobs a webhook told", () => {
  const dropped = run("webhook-20%-dropped", [2, 1, 1, 1]);
  assert.deepEqual(webhookLatency(dropped), { jobs: 3, latencyP99Ms: 3 });
  assert.equal(checkedP99(dropped), 3);
  // All delivered: every job counts.
  const all = run("webhook", [2, 1, 1, 1]);
  assert.equal(checkedP99(all), 2000);
  assert.equal(webhookLatency(run("sse", [1, 1, 1, 1])), undefined);
});

Deno.test("targetLines() checks every job's requests and the p99 of each push and webhook run", () => {
  const durations = [500, 500, 500, 500];
  const lines = targetLines(
    [
      run("webhook-20%-dropped", [2, 1, 1, 1]),
      run("webhook", [3, 1, 1, 1]),
      run("learned", [9, 9, 9, 9]),
    ],
    durations,
    0.05,
  );
  assert.equal(lines.length, 3);
  assert.match(
    lines[1],
    /^- `webhook-20%-dropped`: every job within 2 \+ floor\(duration \/ 3 s\).* requests: met; p99 latency 3\.00 ms over the 3 of 4 jobs a webhook told \(checked; over all jobs 2000\.0 ms.*\(target ≤ 5 ms\): met$/,
  );
  // Three requests for a 500 ms job is one too many; 2 s is too late.
  assert.match(lines[2], /requests: \*\*missed\*\*; p99 latency 2000\.0 ms/);
  assert.match(lines[2], /\(3 of 4 jobs told by webhook\).*: \*\*missed\*\*$/);
});
