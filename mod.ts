/**
 * Wait for a long-running video translation job with one call: as few
 * requests as possible, the result as soon as it exists, and never a hang, a
 * leak or a wrong answer.
 *
 * {@linkcode VideoStatusClient} long-polls servers that support
 * `Prefer: wait` (RFC 7240), can follow server-sent events, and otherwise
 * polls with capped, jittered exponential backoff or a
 * {@linkcode LearnedSchedule} that learns how long jobs take. It honours
 * `Retry-After`, retries transient failures, slows down when the server
 * paces it (429), and every wait has a timeout and accepts an `AbortSignal`.
 * Every update carries the body the server sent with it.
 *
 * It speaks this library's own API by default, and the job APIs of HeyGen,
 * Replicate, OpenAI's videos and Google- and Azure-style long-running
 * operations through its `dialect` option; {@linkcode defineDialect} writes
 * one for any other API in a few lines.
 *
 * The simulator of the translation backend is in `./server`; test helpers
 * (a fake clock, a scripted fetch) are in `./testing`.
 *
 * @example Wait for the server's job, as the seed client did
 * ```ts ignore
 * import { VideoStatusClient } from "@video-status/client";
 *
 * const client = new VideoStatusClient({ serverUrl: "http://127.0.0.1:5000", maxRetries: 5 });
 * const status = await client.getStatus();
 * console.log(`Final Status: ${status}`);
 * ```
 *
 * @example Create a job and follow it
 * ```ts ignore
 * import { VideoStatusClient } from "@video-status/client";
 *
 * const client = new VideoStatusClient({
 *   onUpdate: ({ result, nextDelay }) => console.log(result, nextDelay),
 * });
 * const job = await client.createJob();
 * const { result, body } = await client.waitForJob(job, { timeout: 120_000 });
 * ```
 *
 * @module
 */

export { VideoStatusClient } from "./client.ts";
export type { Strategy, VideoStatusClientOptions } from "./client/options.ts";
export type { HeaderValues } from "./client/headers.ts";
export type {
  ClientHooks,
  RequestErrorInfo,
  RequestStartInfo,
  ResponseInfo,
  WaitEndInfo,
  WaitOutcome,
  WaitStartInfo,
} from "./client/hooks.ts";
export type { StepOptions, StepResult } from "./client/step.ts";
export { WAIT_STATE_FORMAT, type WaitState } from "./client/step_state.ts";
export type { RequestBudget } from "./client/request_budget.ts";
export type { AllowedOrigin } from "./client/origin.ts";
export type {
  CancelOptions,
  CheckOptions,
  CreateJobOptions,
  FinalUpdate,
  Job,
  RetryEvent,
  StatusUpdate,
  UpdateSource,
  WaitOptions,
} from "./client/types.ts";
export type {
  WebSocketClass,
  WebSocketEventLike,
  WebSocketLike,
  WebSocketOptions,
} from "./client/websocket.ts";
export type { WebhookOptions } from "./client/webhook_wait.ts";
export type { DialectOptions } from "./client/dialect_options.ts";
export * from "./client/errors/mod.ts";
export * from "./protocol/status.ts";
export * from "./protocol/dialects/mod.ts";
export * from "./protocol/retry_after.ts";
export {
  isWebhookSecret,
  signWebhook,
  verifyWebhook,
  type WebhookHmac,
  type WebhookHmacOptions,
  type WebhookSigningInput,
} from "./protocol/webhook_signature.ts";
export {
  HEYGEN_SIGNATURE,
  resolveWebhookScheme,
  STANDARD_WEBHOOKS,
  type WebhookScheme,
  type WebhookSchemeName,
} from "./protocol/webhook_schemes/mod.ts";
export {
  createWebhookReceiver,
  type WebhookEvent,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookSource,
} from "./client/webhooks/receiver.ts";
export {
  type FetchHandler,
  type NodeRequestLike,
  type NodeResponseLike,
  toNodeListener,
} from "./client/webhooks/node.ts";
export {
  MAX_EVENT_STREAM_EVENT_BYTES,
  MAX_EVENT_STREAM_LINE_BYTES,
} from "./protocol/sse.ts";
export * from "./timing/schedule.ts";
export * from "./timing/backoff.ts";
export * from "./timing/learned_schedule.ts";
export { type Clock, delay, systemClock } from "./timing/clock.ts";
