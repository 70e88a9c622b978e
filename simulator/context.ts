/**
 * What every route of one simulator shares: its options, clock, random
 * source, shared timer, jobs and held requests.
 *
 * @module
 */

import type { Dialect } from "../protocol/dialect.ts";
import type { Clock } from "../timing/clock.ts";
import type { Scheduler } from "../timing/scheduler.ts";
import type { RequiredKey } from "./dialect_options.ts";
import type { Heartbeat } from "./events.ts";
import type { Holds } from "./holds.ts";
import type { JobFactory } from "./job_factory.ts";
import type { Job, JobStore } from "./jobs.ts";
import type { CreatedJob, ResolvedOptions } from "./options.ts";
import type { WebhookConfig } from "./webhook_options.ts";
import type { WebhookSender } from "./webhooks.ts";

/**
 * The state of one simulator, as `createSimulator()` builds it and hands it to
 * each route.
 *
 * @example
 * ```ts
 * import type { SimulatorContext } from "./context.ts";
 *
 * const legacy = (context: SimulatorContext): boolean => context.config.legacy;
 * ```
 */
export interface SimulatorContext {
  /** The options, with defaults applied. */
  readonly config: ResolvedOptions;
  /** The API it speaks: job paths, status words and bodies. */
  readonly dialect: Dialect;
  /** The API key every request must carry, if any. */
  readonly key: RequiredKey | undefined;
  /** Where time is read and slept on. */
  readonly clock: Clock;
  /** The random source of every draw. */
  readonly random: () => number;
  /** The one shared timer. */
  readonly scheduler: Scheduler;
  /** The one heartbeat of all event streams. */
  readonly heartbeat: Heartbeat;
  /** Jobs created with `POST /jobs`. */
  readonly store: JobStore;
  /** Makes new jobs. */
  readonly jobs: JobFactory;
  /** The job of `GET /status`, which starts with the simulator. */
  readonly defaultJob: Job;
  /** Held requests, and whether the simulator has closed. */
  readonly holds: Holds;
  /** The callback options. */
  readonly webhookConfig: WebhookConfig;
  /** Delivers the callbacks of jobs created with a `callback_url`. */
  readonly webhooks: WebhookSender;
  /** Told of each job `POST /jobs` creates. */
  readonly onJobCreated: ((job: CreatedJob) => void) | undefined;
}
