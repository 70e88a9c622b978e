/**
 * Redis for a fleet of workers under one API key: a request budget that
 * every process shares (`createRedisBudget`), webhook fan-out so that an
 * event received by one worker reaches the waits of all
 * (`createRedisWebhookSource`), and one learned schedule for the workers of
 * one kind of job (`createRedisLearning`). Import it from
 * `@video-status/client/redis` (npm: `video-status-client/redis`); it needs
 * the `redis` package from npm (node-redis, an optional peer dependency of
 * the npm package), which the main entry never loads.
 *
 * Why node-redis rather than ioredis: it is the client Redis itself
 * maintains and recommends for new projects (ioredis is in maintenance
 * mode); it runs under Node, Bun and Deno (`npm:redis`) with the same code;
 * it sends any command with a per-command timeout, so Lua scripts go by
 * EVALSHA and a slow Redis is noticed in bounded time; with its offline
 * queue disabled a command fails at once while Redis is away, instead of
 * waiting in a queue for an unknown time, which is what lets this library
 * fall back at once; it reconnects by itself on a strategy we set; and it
 * keeps pub/sub subscriptions on a duplicate connection and renews them
 * after a reconnect.
 *
 * @module
 */

export type { RequestBudget } from "../client/request_budget.ts";
export { createRedisBudget, type RedisBudget } from "./budget.ts";
export type { RedisBudgetEvent, RedisBudgetOptions } from "./budget_options.ts";
export {
  createRedisWebhookSource,
  type RedisWebhookSource,
  type RedisWebhookSourceOptions,
} from "./webhooks.ts";
export type { RedisFallbackEvent } from "./_health.ts";
export {
  createRedisLearning,
  type RedisLearning,
  type RedisLearningOptions,
} from "./learning.ts";
