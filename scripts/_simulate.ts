// Polling in virtual time: every job of a workload is waited on with one
// shared schedule, requests take no time, and completions are reported to
// the schedule in the order a real client would see them.

import type { PollSchedule } from "../timing/schedule.ts";
import type { Job } from "./_workload.ts";

/** What polling a workload cost and how late each completion was seen. */
export interface SimulationResult {
  /** Status requests sent for each job, in the workload's order. */
  requests: number[];
  /** Detection latency of each job in milliseconds, in the workload's order. */
  latencies: number[];
}

interface Wait {
  job: number;
  at: number;
  /** Whether the wait has just started: its job was created. */
  starting?: boolean;
}

/**
 * Waits on every job the way a client does: a request when the job arrives
 * (or `schedule.firstDelay()` later, if the schedule defers it), then one
 * after each `schedule.nextDelay()` until the job is terminal, when
 * `schedule.observe()` learns where the completion lay. Each wait names
 * itself (`wait`) in both, as a client's waits on jobs it created do.
 */
export function simulatePolling(
  schedule: PollSchedule,
  jobs: readonly Job[],
): SimulationResult {
  const requests = jobs.map(() => 0);
  const latencies = jobs.map(() => 0);
  const lastPending = jobs.map(() => 0);
  // Each wait's identity, as the client gives it to the schedule.
  const waits = jobs.map((_, index) => `job ${index}`);
  const queue = new WaitQueue();
  jobs.forEach((job, index) =>
    queue.push({ job: index, at: job.arrival, starting: true })
  );
  for (let wait = queue.pop(); wait; wait = queue.pop()) {
    const { arrival, duration } = jobs[wait.job];
    const elapsed = wait.at - arrival;
    if (wait.starting && schedule.firstDelay !== undefined) {
      const delay = checked(
        schedule.firstDelay({ elapsed, wait: waits[wait.job] }),
      );
      if (delay > 0) {
        queue.push({ job: wait.job, at: wait.at + delay });
        continue;
      }
    }
    requests[wait.job]++;
    if (elapsed >= duration) {
      latencies[wait.job] = elapsed - duration;
      schedule.observe?.({
        after: lastPending[wait.job],
        atMost: elapsed,
        wait: waits[wait.job],
        watchedFrom: 0,
      });
      continue;
    }
    lastPending[wait.job] = elapsed;
    const delay = checked(schedule.nextDelay({
      attempt: requests[wait.job],
      elapsed,
      wait: waits[wait.job],
    }));
    queue.push({ job: wait.job, at: wait.at + delay });
  }
  return { requests, latencies };
}

function checked(delay: number): number {
  if (!(delay >= 0)) throw new RangeError(`Invalid delay: ${delay}`);
  return delay;
}

// A binary min-heap of waits by time, ties broken by job index, so that the
// simulation is deterministic.
class WaitQueue {
  #heap: Wait[] = [];

  push(wait: Wait): void {
    const heap = this.#heap;
    heap.push(wait);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  pop(): Wait | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      while (true) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left], heap[smallest])) {
          smallest = left;
        }
        if (right < heap.length && before(heap[right], heap[smallest])) {
          smallest = right;
        }
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Wait, b: Wait): boolean {
  return a.at < b.at || (a.at === b.at && a.job < b.job);
}
