/**
 * Video waits as BullMQ jobs: each queue job is one wait, and each run of it
 * is one `client.step()`. The wait's state lives in the queue job's data and
 * the queue sleeps between steps (the job is moved to BullMQ's delayed set
 * for the step's `delay`), so no process holds a wait open: a worker that
 * dies or is redeployed loses nothing but, at worst, one request to repeat.
 *
 * @module
 */

import {
  DelayedError,
  type Job as QueueJob,
  type Processor,
  type Queue,
} from "bullmq";
import type {
  FinalUpdate,
  Job,
  VideoStatusClient,
  WaitState,
} from "@video-status/client";

/** The queue the waits go through. */
export const QUEUE_NAME = "video-waits";

/** A wait's queue job data: the video job, the wait's time limit, and the wait's state once it has started. */
export interface WaitJobData {
  /** A job id, or a job from `createJob()`. */
  job: string | Job;
  /** The wait's time limit in milliseconds, from its first step. */
  timeout: number;
  /** The state the last step returned; `null` before the first. */
  state: WaitState | null;
}

/**
 * Adds a wait to the queue. BullMQ does not retry it: the steps retry what
 * may be retried, and what they throw (the wait's `TimeoutError`, a
 * `RetryError`, a 404) retrying would not fix.
 */
export function addWait(
  queue: Queue<WaitJobData, FinalUpdate>,
  job: string | Job,
  timeout: number,
): Promise<QueueJob<WaitJobData, FinalUpdate>> {
  const id = typeof job === "string" ? job : job.id;
  return queue.add(`wait ${id}`, { job, timeout, state: null }, {
    attempts: 1,
  });
}

/**
 * The worker's processor: one step of the wait. A final update completes
 * the queue job with it; a pending one saves the state in the job's data
 * and moves the job to the delayed set until the next step is due.
 *
 * The state is saved before the job is delayed: a worker killed between
 * the two leaves the new state behind, and one killed before has sent a
 * request the next worker repeats from the old state.
 */
export function stepProcessor(
  client: VideoStatusClient,
): Processor<WaitJobData, FinalUpdate> {
  return async (queueJob, token) => {
    const { job, timeout, state } = queueJob.data;
    const step = state === null
      ? await client.step(job, { timeout })
      : await client.step(state);
    if (step.done) return step.update;
    await queueJob.updateData({ ...queueJob.data, state: step.state });
    await queueJob.moveToDelayed(Date.now() + step.delay, token);
    // Tells BullMQ the job was delayed, not completed or failed.
    throw new DelayedError();
  };
}
