// The worker side of `startInWorker()`: runs one strategy's client in a
// thread of its own, so that no strategy's timing depends on how busy the
// others keep an event loop. Messages out: "ready" once loaded, clock
// readings, then the detections; in: clock probes, then {strategy, jobs,
// settings, seed}.

import { type RunSettings, runStrategy } from "./_bench_run.ts";
import { STRATEGIES } from "./_strategies.ts";
import { answerClockProbe } from "./_clock_sync.ts";
import { seededRandom } from "../util/random.ts";
import type { Job } from "./_workload.ts";

interface Scope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

const scope = globalThis as unknown as Scope;

scope.onmessage = async (event: MessageEvent) => {
  if (answerClockProbe(event.data, (reading) => scope.postMessage(reading))) {
    return;
  }
  const { strategy, jobs, settings, seed } = event.data as {
    strategy: string;
    jobs: Job[];
    settings: Omit<RunSettings, "random">;
    seed: number;
  };
  const chosen = STRATEGIES.find((candidate) => candidate.id === strategy)!;
  const detections = await runStrategy(chosen, jobs, {
    ...settings,
    random: seededRandom(seed),
  });
  scope.postMessage(detections);
  scope.close();
};

scope.postMessage("ready");
