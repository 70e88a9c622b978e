// Where a webhook strategy's latency goes, stage by stage, for the jobs a
// webhook told: from the job turning final to the simulator handing the
// signed callback to `fetch`, to the receiver's handler being called, to the
// receiver handing the verified event to the wait, to the wait resolving.
// Every time is on the main thread's clock (see `_clock_sync.ts`).

import type { Detection } from "./_bench_run.ts";
import type { BenchBooks } from "./_bench_server.ts";
import type { BenchStrategy } from "./_strategies.ts";
import { percentile } from "./_stats.ts";

/** The stages, in order, each as the time since the previous one. */
export const WEBHOOK_STAGES = [
  "job end → callback sent",
  "→ at the receiver",
  "→ verified, heard by the wait",
  "→ wait resolved",
] as const;

/**
 * Per stage, its duration for each job a webhook told (the jobs whose
 * callback left, reached the receiver and ended the wait).
 */
export function webhookStages(
  detections: readonly Detection[],
  books: BenchBooks,
): number[][] {
  const stages: number[][] = WEBHOOK_STAGES.map(() => []);
  for (const { id, duration, learnedAt, webhook } of detections) {
    const sentAt = webhook && books.callbackSentAt.get(webhook.id);
    const createdAt = books.createdAt.get(id);
    if (sentAt === undefined || createdAt === undefined) continue;
    const times = [
      createdAt + duration,
      sentAt,
      webhook!.arrivedAt,
      webhook!.heardAt,
      learnedAt,
    ];
    stages.forEach((stage, i) => stage.push(times[i + 1] - times[i]));
  }
  return stages;
}

/** The report's line on a webhook strategy's stages; none for other strategies. */
export function webhookStageLines(
  strategy: BenchStrategy,
  detections: readonly Detection[],
  books: BenchBooks,
): string[] {
  if (strategy.webhookDropRate === undefined) return [];
  const stages = webhookStages(detections, books);
  const figures = stages.map((values, i) =>
    `${WEBHOOK_STAGES[i]} ${percentile(values, 50).toFixed(2)} / ${
      percentile(values, 99).toFixed(2)
    } ms`
  );
  return [
    `\`${strategy.id}\` by stage over the ${
      stages[0].length
    } jobs a webhook told, p50 / p99 (the p99s do not add up): ${
      figures.join("; ")
    }.`,
  ];
}
