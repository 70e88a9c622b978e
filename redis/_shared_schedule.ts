// The working of a Redis learning (see learning.ts for what it promises):
// planning with a copy of the shared model, and syncing what this worker
// learned into it by compare-and-set, while Redis comes and goes.

import { LearnedSchedule } from "../timing/learned_schedule.ts";
import type {
  CompletionObservation,
  FirstDelayContext,
  PollContext,
  UnfinishedObservation,
} from "../timing/schedule.ts";
import { delay } from "../timing/clock.ts";
import type { RedisConnection } from "./connection.ts";
import { Health } from "./_health.ts";
import { openConnection } from "./_open.ts";
import {
  pool,
  readCommand,
  SETTLE,
  sharedOf,
  WRITE_IF_UNCHANGED,
  WRITE_MEMORY,
  writeKey,
  writtenRevision,
} from "./_learning_document.ts";
import type { RedisLearning, RedisLearningOptions } from "./learning.ts";

// Writes retried when other workers wrote first, within one sync.
const MAX_WRITES = 5;

/** A Redis learning at work. */
export class SharedSchedule implements RedisLearning {
  readonly #options: Required<Omit<RedisLearningOptions, "onFallback">>;
  readonly #health: Health;
  readonly #connection: RedisConnection;
  readonly #closing = new AbortController();
  readonly #loop: Promise<void>;
  readonly ready: Promise<void>;
  #current: LearnedSchedule;
  // What this worker learned that the shared model lacks, and how many
  // jobs that is: the shared model ages by them when it takes it.
  #unshared: LearnedSchedule;
  #jobs = 0;
  // The revision the current schedule was built on.
  #revision = -1;
  #syncing: Promise<boolean> | undefined;
  // A write sent whose answer never came: its jobs, and its token.
  #uncertain:
    | { token: string; sending: LearnedSchedule; jobs: number }
    | undefined;
  #closed: Promise<void> | undefined;

  constructor(
    first: LearnedSchedule,
    options: Required<Omit<RedisLearningOptions, "onFallback">> & {
      onFallback: RedisLearningOptions["onFallback"];
    },
  ) {
    this.#options = options;
    this.#health = new Health(options.onFallback);
    this.#current = first;
    this.#unshared = this.#empty();
    const { connection, opened } = openConnection(
      options.url,
      options.commandTimeout,
      (cause) => {
        if (!this.#closing.signal.aborted) this.#health.failed(cause);
      },
      this.#closing.signal,
    );
    this.#connection = connection;
    this.ready = opened.then(() => this.sync()).then(() => {});
    this.#loop = this.ready.then(() => this.#every());
  }

  get schedule(): LearnedSchedule {
    return this.#current;
  }

  get degraded(): boolean {
    return this.#health.degraded;
  }

  nextDelay(context: PollContext): number {
    return this.#current.nextDelay(context);
  }

  firstDelay(context: FirstDelayContext): number {
    return this.#current.firstDelay(context);
  }

  observe(observation: CompletionObservation): void {
    this.#current.observe(observation);
    // Without the wait: the shared model never saw it running.
    this.#unshared.observe({
      after: observation.after,
      atMost: observation.atMost,
      watchedFrom: observation.watchedFrom,
    });
    this.#jobs++;
  }

  abandon(observation: UnfinishedObservation): void {
    this.#current.abandon(observation);
    // The unshared model never saw this wait running (nextDelay() asks the
    // current one), so it takes the wait as new.
    this.#unshared.abandon({
      after: observation.after,
      wait: observation.wait,
    });
    this.#jobs++;
  }

  sync(): Promise<boolean> {
    if (this.#closing.signal.aborted) return Promise.resolve(false);
    this.#syncing ??= this.#sync().finally(() => this.#syncing = undefined);
    return this.#syncing;
  }

  close(): Promise<void> {
    return this.#closed ??= this.#close();
  }

  async #close(): Promise<void> {
    await this.#syncing;
    if ((this.#jobs > 0 || this.#uncertain) && !this.degraded) {
      await this.sync();
    }
    this.#closing.abort();
    await this.#connection.close();
    await this.#loop;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #empty(): LearnedSchedule {
    return new LearnedSchedule(this.#options.schedule);
  }

  async #every(): Promise<void> {
    const signal = this.#closing.signal;
    while (!signal.aborted) {
      try {
        await delay(this.#options.syncInterval, signal);
      } catch {
        return;
      }
      await this.sync();
    }
  }

  async #sync(): Promise<boolean> {
    const { key, keepFor, schedule } = this.#options;
    const tokenLife = Math.min(keepFor, WRITE_MEMORY);
    try {
      await this.#settle(tokenLife);
    } catch (error) {
      if (!this.#closing.signal.aborted) this.#health.failed(error);
      return false;
    }
    // Learned from now on goes to the next sync; this one takes the rest.
    const sending = this.#unshared;
    const jobs = this.#jobs;
    const before = this.#current.toJSON();
    this.#unshared = this.#empty();
    this.#jobs = 0;
    // The token of a write sent whose answer has not come yet.
    let writing: string | undefined;
    try {
      for (let attempt = 0; attempt < MAX_WRITES; attempt++) {
        const shared = sharedOf(
          await this.#connection.command(readCommand(key)),
          key,
        );
        if (jobs === 0 && shared.revision === this.#revision) {
          this.#health.reached();
          return true;
        }
        let pooled: LearnedSchedule;
        let write = jobs > 0;
        if (shared.schedule === undefined && this.#revision > 0) {
          // Redis lost the model (restarted empty): this worker's copy as
          // the sync began, which holds it and what was learned since,
          // seeds it again.
          pooled = LearnedSchedule.fromJSON(before, schedule);
          write = true;
        } else {
          pooled = pool(shared.schedule, sending, jobs, schedule);
        }
        let revision = shared.revision;
        if (write) {
          writing = crypto.randomUUID();
          const reply = await this.#connection.run(
            WRITE_IF_UNCHANGED,
            [key, writeKey(key, writing)],
            [shared.revision, JSON.stringify(pooled), keepFor, tokenLife],
          );
          writing = undefined;
          revision = writtenRevision(reply, key);
          // Another worker wrote first: read and merge again.
          if (revision === 0) continue;
        }
        this.#health.reached();
        // What this worker learned during the round trips stays in view,
        // and its waits still running (the document holds none) with it.
        pooled.merge(this.#unshared.toJSON());
        pooled.takeRunningWaits(this.#current);
        this.#current = pooled;
        this.#revision = revision;
        return true;
      }
      this.#keep(sending, jobs);
      return false;
    } catch (error) {
      // A write whose answer did not come may still have been applied (or
      // be, late): the next sync settles it before sending its jobs again.
      if (writing === undefined) this.#keep(sending, jobs);
      else this.#uncertain = { token: writing, sending, jobs };
      if (!this.#closing.signal.aborted) this.#health.failed(error);
      return false;
    }
  }

  /**
   * Settles the write whose answer did not come, if any: its jobs are
   * shared again only if Redis did not apply it, which it then never will.
   */
  async #settle(tokenLife: number): Promise<void> {
    const uncertain = this.#uncertain;
    if (uncertain === undefined) return;
    const outcome = await this.#connection.run(
      SETTLE,
      [writeKey(this.#options.key, uncertain.token)],
      [tokenLife],
    );
    this.#uncertain = undefined;
    if (outcome !== "applied") this.#keep(uncertain.sending, uncertain.jobs);
  }

  /** Puts back what a sync could not share, before what was learned since. */
  #keep(sending: LearnedSchedule, jobs: number): void {
    sending.merge(this.#unshared.toJSON());
    this.#unshared = sending;
    this.#jobs += jobs;
  }
}
