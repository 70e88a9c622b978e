/**
 * The webhook receiver: a `fetch`-style handler that takes a job API's
 * callbacks, checks them (signature, body size, shape) and
 * hands each event to the waits listening for its job. It keeps the latest
 * event of recent jobs, so a wait that starts after its job's callback
 * arrived still hears it at once.
 *
 * @module
 */

import type { Dialect } from "../../protocol/dialect.ts";
import { isReadProblem } from "../../protocol/dialect.ts";
import {
  type DialectName,
  resolveDialect,
} from "../../protocol/dialects/mod.ts";
import { isFinalStatus } from "../../protocol/status.ts";
import { MAX_BODY_BYTES, readBoundedText } from "../../protocol/body.ts";
import {
  resolveWebhookScheme,
  type WebhookScheme,
  type WebhookSchemeName,
} from "../../protocol/webhook_schemes/mod.ts";
import { type Clock, systemClock } from "../../timing/clock.ts";
import type { WebhookHmac } from "../../protocol/webhook_signature.ts";
import {
  assertFiniteAtLeast,
  assertFunction,
  show,
} from "../../util/validate.ts";
import { ExpiringMap } from "./expiring_map.ts";
import type { WebhookEvent, WebhookSource } from "./source.ts";

export type { WebhookEvent, WebhookSource };

/**
 * Options of {@linkcode createWebhookReceiver}.
 *
 * @example
 * ```ts
 * import type { WebhookReceiverOptions } from "./receiver.ts";
 *
 * const options: WebhookReceiverOptions = {
 *   secret: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_b2xkIGtleQ=="],
 *   dialect: "replicate",
 * };
 * ```
 */
export interface WebhookReceiverOptions {
  /**
   * The signing secret, in the form of the `scheme` (Standard Webhooks:
   * `whsec_` + base64 of the key), or several while you rotate it: a
   * message signed with any of them is accepted. With a secret, a message
   * without a valid signature (recent, where the scheme has a timestamp)
   * answers `401` and reaches no wait. Without one, every event is only a
   * hint (`verified: false`): a wait asks the server instead of trusting it.
   * @default {undefined}
   */
  readonly secret?: string | readonly string[];
  /**
   * The job API whose callbacks arrive: a preset's name or a dialect object.
   * The body is read as that API's job body (`dialect.read`), the job's id
   * taken from it (`dialect.idOf`).
   * @default {"video-status"}
   */
  readonly dialect?: DialectName | Dialect;
  /**
   * How messages are signed: a preset's name (`"standard-webhooks"`,
   * `"heygen"`) or a scheme object. Set it for a custom dialect whose API
   * signs differently, or for a vendor endpoint that signs otherwise than
   * its preset says.
   * @default {dialect.webhookScheme ?? "standard-webhooks"}
   */
  readonly scheme?: WebhookSchemeName | WebhookScheme;
  /** How far a message's timestamp may be from the clock, either way, in ms (schemes with one). @default {300000} */
  readonly tolerance?: number;
  /** The largest body read, in bytes; a larger one answers `413`. @default {65536} */
  readonly maxBodyBytes?: number;
  /**
   * The most jobs whose latest event is kept for a later wait (the oldest is
   * dropped first), and the most webhook ids remembered to answer duplicates.
   * @default {1000}
   */
  readonly maxKept?: number;
  /** How long a kept event and a remembered webhook id last, in ms. @default {600000} */
  readonly keepFor?: number;
  /** The clock that stamps events and checks timestamps. @default {systemClock} */
  readonly clock?: Clock;
  /**
   * How signatures' HMAC-SHA256 is computed. WebCrypto's runs on a thread of
   * the runtime's pool and resolves on a later turn; where each millisecond
   * counts, pass a synchronous one, such as `node:crypto`'s in Deno, Node.js
   * and Bun: `(key, message) => createHmac("sha256", key).update(message).digest()`.
   * A MAC it gets wrong refuses the message (401); if it throws, `fetch`
   * rejects with its error and no wait hears the message.
   * @default {WebCrypto's HMAC-SHA256}
   */
  readonly hmac?: WebhookHmac;
}

/**
 * A webhook receiver: a {@linkcode WebhookSource} for waits, and the
 * `fetch` handler that mounts as is in `Deno.serve`, Bun, Hono or a Next.js
 * route handler.
 *
 * @example
 * ```ts
 * import { createWebhookReceiver, type WebhookReceiver } from "./receiver.ts";
 *
 * const receiver: WebhookReceiver = createWebhookReceiver();
 * ```
 */
export interface WebhookReceiver extends WebhookSource {
  /**
   * Answers one callback: `204` accepted, `200` a duplicate (delivered
   * once), `400` not JSON, no message id, no job id or an unreadable
   * status, `401` a bad, missing or stale signature, `405` not `POST`, `413`
   * too large.
   */
  fetch(request: Request): Promise<Response>;
  /**
   * Calls `listener` for each event accepted from now on, whatever its job
   * (nothing kept is replayed): how a fan-out forwards this instance's
   * events to waits elsewhere. Returns how to stop listening.
   */
  listenAll(listener: (event: WebhookEvent) => void): () => void;
}

function secretsOf(
  secret: string | readonly string[] | undefined,
  scheme: WebhookScheme,
): string[] {
  const secrets = secret === undefined ? [] : [secret].flat();
  for (const each of secrets) {
    if (!scheme.isSecret(each)) {
      throw new TypeError(
        `Cannot create the webhook receiver as 'secret' must be ${scheme.secretForm} (scheme ${scheme.name}): current value is ${
          typeof each === "string"
            ? `a string of ${each.length} characters`
            : show(each)
        }`,
      );
    }
  }
  return secrets;
}

function answer(
  status: number,
  text?: string,
  headers?: HeadersInit,
): Response {
  return new Response(text ?? null, { status, headers });
}

/**
 * Creates a webhook receiver. Mount its `fetch` where the job API calls
 * back, and pass the receiver to the waits that should hear about their job
 * the moment it ends.
 *
 * A job's latest event is kept (a final one is never replaced by a later
 * `pending` one), for at most `keepFor` and for the last `maxKept` jobs; a
 * listener first hears the kept event of its job, then each new one. A
 * duplicate (a message id already accepted: `webhook-id` in Standard
 * Webhooks, the body's SHA-256 for HeyGen) answers `200` and is not
 * delivered again. A listener may be called before `listen()` returns.
 *
 * Messages are verified with the dialect's signature scheme
 * (`dialect.webhookScheme`, Standard Webhooks by default) unless `scheme`
 * names another.
 *
 * @example Mount it in Deno.serve
 * ```ts ignore
 * import { createWebhookReceiver } from "@video-status/client";
 *
 * const receiver = createWebhookReceiver({ secret: Deno.env.get("WEBHOOK_SECRET") });
 * Deno.serve({ port: 8080 }, receiver.fetch);
 * ```
 *
 * @example Hear a signed event
 * ```ts
 * import { createWebhookReceiver } from "./receiver.ts";
 * import { signWebhook } from "../../protocol/webhook_signature.ts";
 * import { FakeClock } from "../../testing/fake_clock.ts";
 * import assert from "node:assert/strict";
 *
 * const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
 * const clock = new FakeClock({ start: 1_700_000_000_000 });
 * const receiver = createWebhookReceiver({ secret, clock });
 * const body = JSON.stringify({ id: "job-1", result: "completed" });
 * const headers = await signWebhook(secret, { id: "msg_1", timestamp: 1_700_000_000, body });
 * const response = await receiver.fetch(
 *   new Request("http://localhost/hooks", { method: "POST", headers, body }),
 * );
 * assert.equal(response.status, 204);
 * const heard: string[] = [];
 * receiver.listen("job-1", (event) => heard.push(`${event.reading.result} ${event.verified}`));
 * assert.deepEqual(heard, ["completed true"]); // kept, so heard by a wait that starts later
 * ```
 *
 * @example Hear a HeyGen callback
 * ```ts
 * import { createWebhookReceiver, HEYGEN_SIGNATURE, HEYGEN_VIDEO } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const secret = "heygen-endpoint-secret";
 * const receiver = createWebhookReceiver({ secret, dialect: "heygen-video" });
 * const body = JSON.stringify({ code: 100, data: { id: "v1", status: "completed" } });
 * const headers = await HEYGEN_SIGNATURE.sign(secret, { id: "msg_1", timestamp: 0, body });
 * const post = () => new Request("http://localhost/hooks", { method: "POST", headers, body });
 * assert.equal(HEYGEN_VIDEO.webhookScheme, HEYGEN_SIGNATURE);
 * assert.equal((await receiver.fetch(post())).status, 204);
 * assert.equal((await receiver.fetch(post())).status, 200); // the same body again: a duplicate
 * ```
 *
 * @param options Secret(s), dialect, scheme, tolerance, bounds and clock.
 * @returns The receiver.
 * @throws {TypeError} For a secret not in the scheme's form, an unknown dialect or scheme, or an `hmac` that is not a function.
 * @throws {RangeError} For a negative or non-finite number option.
 */
export function createWebhookReceiver(
  options: WebhookReceiverOptions = {},
): WebhookReceiver {
  const {
    tolerance = 300_000,
    maxBodyBytes = MAX_BODY_BYTES,
    maxKept = 1000,
    keepFor = 600_000,
    clock = systemClock,
    hmac,
  } = options;
  const dialect = resolveDialect(options.dialect);
  const scheme = resolveWebhookScheme(
    options.scheme ?? dialect.webhookScheme,
  );
  const secrets = secretsOf(options.secret, scheme);
  const subject = "the webhook receiver";
  assertFiniteAtLeast(subject, "tolerance", tolerance, 0);
  assertFiniteAtLeast(subject, "maxBodyBytes", maxBodyBytes, 1);
  assertFiniteAtLeast(subject, "maxKept", maxKept, 1);
  assertFiniteAtLeast(subject, "keepFor", keepFor, 0);
  assertFunction(subject, "hmac", hmac, true);

  const kept = new ExpiringMap<string, WebhookEvent>(maxKept, keepFor, clock);
  const seen = new ExpiringMap<string, true>(maxKept, keepFor, clock);
  const listeners = new Map<string, Set<(event: WebhookEvent) => void>>();
  const everyJob = new Set<(event: WebhookEvent) => void>();

  /** Calls each listener; one that throws neither stops the others nor is lost. */
  function deliver(
    targets: Iterable<(event: WebhookEvent) => void>,
    event: WebhookEvent,
  ): void {
    const errors: unknown[] = [];
    for (const listener of [...targets]) {
      try {
        listener(event);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  /** The signature check: `true`, or why the message is refused. */
  async function verify(
    headers: Headers,
    body: string,
  ): Promise<true | string> {
    let outcome: true | string = "bad signature";
    for (const secret of secrets) {
      outcome = await scheme.verify(
        secret,
        headers,
        body,
        clock.now(),
        tolerance,
        { hmac },
      );
      // Only the signature depends on the secret: any other reason holds for all.
      if (outcome !== "bad signature") break;
    }
    return outcome;
  }

  async function receive(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      return answer(405, "Method not allowed", { allow: "POST" });
    }
    let text: string;
    try {
      const read = await readBoundedText(request, maxBodyBytes, {
        fatal: true,
      });
      if (read.truncated) return answer(413, "Body too large");
      text = read.text;
    } catch {
      return answer(400, "Body is not UTF-8 text");
    }
    const verified = secrets.length > 0;
    if (verified) {
      const outcome = await verify(request.headers, text);
      if (outcome !== true) return answer(401, `Refused: ${outcome}`);
    }
    const id = await scheme.messageId(request.headers, text);
    if (id === undefined) {
      return answer(400, `No message id (scheme ${scheme.name})`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return answer(400, "Body is not JSON");
    }
    const jobId = dialect.idOf(body);
    if (jobId === undefined) {
      return answer(400, `No job id in the ${dialect.name} body`);
    }
    const receivedAt = clock.now();
    const reading = dialect.read(body, request.headers, receivedAt);
    if (isReadProblem(reading)) return answer(400, reading.message);
    // Checked after the last await, so two copies racing in are one event.
    if (seen.get(id) !== undefined) return answer(200);
    seen.set(id, true);
    const event: WebhookEvent = {
      id,
      jobId,
      reading,
      body,
      verified,
      receivedAt,
    };
    // A late `pending` (retried, or overtaken) must not hide the job's end.
    const before = kept.get(jobId)?.reading.result;
    if (
      before === undefined || !isFinalStatus(before) ||
      isFinalStatus(reading.result)
    ) kept.set(jobId, event);
    deliver([...listeners.get(jobId) ?? [], ...everyJob], event);
    return answer(204);
  }

  return {
    fetch: receive,
    listenAll(listener) {
      const own = (event: WebhookEvent) => listener(event);
      everyJob.add(own);
      return () => everyJob.delete(own);
    },
    listen(jobId, listener) {
      let set = listeners.get(jobId);
      if (set === undefined) listeners.set(jobId, set = new Set());
      const own = (event: WebhookEvent) => listener(event);
      set.add(own);
      const stop = () => {
        set.delete(own);
        if (set.size === 0 && listeners.get(jobId) === set) {
          listeners.delete(jobId);
        }
      };
      const replay = kept.get(jobId);
      if (replay !== undefined) {
        try {
          deliver([own], replay);
        } catch (error) {
          stop();
          throw error;
        }
      }
      return stop;
    },
  };
}
