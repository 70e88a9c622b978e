// The libraries a user would pick instead of this one, each waiting on one
// job in the few lines of glue a user would write. Every one sleeps with the
// runtime's real setTimeout (smithy's waiter and p-retry also read the real
// Date.now / performance.now for their deadlines), so they cannot run on a
// virtual clock: they run in scaled real time against the simulator like our
// own strategies, with every delay they are given multiplied by the time
// scale. Their own jitter draws from Math.random, which no seed reaches.

import { createWaiter, WaiterState } from "@smithy/util-waiter";
import pRetry from "p-retry";
import pWaitFor from "p-wait-for";

/** One status request: resolves true once the job is final. */
export type CheckJob = () => Promise<boolean>;

/** A library's wait on one job, given its one request and the time scale. */
export type LibraryWait = (check: CheckJob, timeScale: number) => Promise<void>;

// How long any library wait may take before it gives up, in workload ms:
// longer than any job of a benchmark workload.
const GIVE_UP = 3_600_000;

/**
 * `@smithy/util-waiter`'s `createWaiter` with the generic defaults of the AWS
 * SDK waiters: minDelay 2 s, maxDelay 120 s (in seconds, scaled). The k-th
 * delay is drawn between 2 s and 2 s × 2^(k−1), and past ~7 attempts is the
 * 120 s cap exactly.
 */
export async function smithyWaiter(
  check: CheckJob,
  timeScale: number,
): Promise<void> {
  const result = await createWaiter(
    {
      client: undefined,
      minDelay: 2 * timeScale,
      maxDelay: 120 * timeScale,
      maxWaitTime: GIVE_UP / 1000 * timeScale,
    },
    undefined,
    async () => ({
      state: await check() ? WaiterState.SUCCESS : WaiterState.RETRY,
    }),
  );
  if (result.state !== WaiterState.SUCCESS) {
    throw new Error(`The smithy waiter ended ${result.state}`);
  }
}

/**
 * `p-retry` used as a poller: the check throws while the job runs, retried
 * with p-retry's defaults (1 s, ×2, no cap, no randomisation) and as many
 * retries as it takes, since its default ten would give up on long jobs.
 */
export async function pRetryPoller(
  check: CheckJob,
  timeScale: number,
): Promise<void> {
  await pRetry(async () => {
    if (!await check()) throw new Error("The job is still running");
  }, { retries: Infinity, minTimeout: 1000 * timeScale });
}

/**
 * Fixed-interval polling with `p-wait-for`, every `interval` ms (scaled): its
 * own default of 20 ms is a busy loop no one would point at a server.
 */
export function pWaitForEvery(interval: number): LibraryWait {
  return async (check, timeScale) => {
    await pWaitFor(check, {
      interval: interval * timeScale,
      timeout: GIVE_UP * timeScale,
    });
  };
}
