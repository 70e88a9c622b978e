/**
 * The options of the simulator's callbacks (`callback_url` on `POST /jobs`):
 * the signing secret and the dialect's signature scheme, the injected
 * faults, the hosts it may call, and the `fetch` it calls them with.
 *
 * @module
 */

import {
  resolveWebhookScheme,
  type WebhookScheme,
} from "../protocol/webhook_schemes/mod.ts";
import type { WebhookHmac } from "../protocol/webhook_signature.ts";
import { assertFunction, show } from "../util/validate.ts";
import { checkNumber, checkOrder, type NumberRule } from "./number_rule.ts";

/**
 * The callback options of `createSimulator()` (and of `serve()`).
 *
 * @example Signed callbacks, a fifth of them lost
 * ```ts
 * import type { SimulatorWebhookOptions } from "./webhook_options.ts";
 *
 * const options: SimulatorWebhookOptions = {
 *   webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
 *   webhookDropRate: 0.2,
 * };
 * ```
 */
export interface SimulatorWebhookOptions {
  /**
   * The key callbacks are signed with, the way the dialect's API signs
   * (`dialect.webhookScheme`): Standard Webhooks by default, whose key is
   * `whsec_` followed by the key's bytes in base64; the HeyGen dialects'
   * `X-HeyGen-Signature` header, whose key is the endpoint secret as written.
   * Without it callbacks carry no signature headers.
   * @default {undefined}
   */
  webhookSecret?: string;
  /** Fraction (0 to 1) of callbacks never sent at all. @default {0} */
  webhookDropRate?: number;
  /** Fraction (0 to 1) of callbacks sent twice, with the same `webhook-id`. @default {0} */
  webhookDuplicateRate?: number;
  /** Least delay before a callback's first attempt, in milliseconds. @default {0} */
  minWebhookDelay?: number;
  /** Most delay before a callback's first attempt, in milliseconds. @default {0} */
  maxWebhookDelay?: number;
  /**
   * Hosts a `callback_url` may name besides the loopback ones (127.0.0.0/8,
   * `::1`, `localhost`), which are always allowed.
   * @default {[]}
   */
  webhookAllowHosts?: string[];
  /** What callbacks are sent with. @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /**
   * How a callback's HMAC-SHA256 is computed. WebCrypto's is asynchronous
   * and runs on a thread of the runtime's pool, a hop that a busy machine
   * can delay by milliseconds after the job ends; `serve()` passes the
   * synchronous one of `node:crypto`.
   * @default {WebCrypto's HMAC-SHA256}
   */
  webhookHmac?: WebhookHmac;
}

/**
 * Bounds of the numeric callback options, by option name.
 *
 * @example
 * ```ts
 * import { WEBHOOK_RULES } from "./webhook_options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(WEBHOOK_RULES.webhookDropRate?.max, 1);
 * ```
 */
export const WEBHOOK_RULES: Readonly<Record<string, NumberRule>> = Object
  .freeze({
    webhookDropRate: rate(),
    webhookDuplicateRate: rate(),
    minWebhookDelay: delay(),
    maxWebhookDelay: delay(),
  });

function rate(): NumberRule {
  return Object.freeze({ min: 0, max: 1, integer: false, noun: "a number" });
}

function delay(): NumberRule {
  return Object.freeze({
    min: 0,
    max: 3_600_000,
    integer: true,
    noun: "an integer number of milliseconds",
  });
}

/**
 * {@linkcode SimulatorWebhookOptions} with every default applied and checked.
 *
 * @example
 * ```ts
 * import { resolveWebhookOptions, type WebhookConfig } from "./webhook_options.ts";
 * import assert from "node:assert/strict";
 *
 * const config: WebhookConfig = resolveWebhookOptions({});
 * assert.equal(config.secret, undefined);
 * ```
 */
export interface WebhookConfig {
  /** See {@linkcode SimulatorWebhookOptions.webhookSecret}. */
  readonly secret: string | undefined;
  /** How callbacks are signed: the dialect's scheme. */
  readonly scheme: WebhookScheme;
  /** See {@linkcode SimulatorWebhookOptions.webhookDropRate}. */
  readonly dropRate: number;
  /** See {@linkcode SimulatorWebhookOptions.webhookDuplicateRate}. */
  readonly duplicateRate: number;
  /** See {@linkcode SimulatorWebhookOptions.minWebhookDelay}. */
  readonly minDelay: number;
  /** See {@linkcode SimulatorWebhookOptions.maxWebhookDelay}. */
  readonly maxDelay: number;
  /** The allowed hosts, lower case, IPv6 ones without brackets. */
  readonly allowHosts: ReadonlySet<string>;
  /** See {@linkcode SimulatorWebhookOptions.fetch}. */
  readonly fetch: typeof fetch;
  /** See {@linkcode SimulatorWebhookOptions.webhookHmac}; `undefined` for WebCrypto's. */
  readonly hmac: WebhookHmac | undefined;
}

/**
 * Applies the defaults and checks every callback option.
 *
 * @example
 * ```ts
 * import { resolveWebhookOptions } from "./webhook_options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...resolveWebhookOptions({ webhookAllowHosts: ["Hooks.Test"] }).allowHosts], ["hooks.test"]);
 * assert.throws(() => resolveWebhookOptions({ webhookSecret: "s3cret" }), TypeError);
 * assert.throws(() => resolveWebhookOptions({ webhookDropRate: 2 }), RangeError);
 * const heygen = resolveWebhookOptions({ webhookSecret: "s3cret" }, "heygen");
 * assert.equal(heygen.scheme.name, "heygen");
 * ```
 *
 * @param options The options as given.
 * @param scheme How the dialect's API signs: a scheme or a preset's name.
 * @returns The options with defaults.
 * @throws {RangeError} When a number is out of range.
 * @throws {TypeError} For a secret not in the scheme's form, a scheme that is
 * not one, hosts that are not an array of non-empty strings, or a `fetch` or
 * `webhookHmac` that is not a function.
 */
export function resolveWebhookOptions(
  options: SimulatorWebhookOptions,
  scheme?: WebhookScheme | string,
): WebhookConfig {
  const action = "create the simulator";
  const numbers: Record<string, number> = {};
  for (const [name, rule] of Object.entries(WEBHOOK_RULES)) {
    const value = (options as Record<string, unknown>)[name] ?? 0;
    const message = checkNumber(value, name, rule, action);
    if (message !== undefined) throw new RangeError(message);
    numbers[name] = value as number;
  }
  const { minWebhookDelay = 0, maxWebhookDelay = 0 } = numbers;
  checkOrder(
    minWebhookDelay,
    maxWebhookDelay,
    "minWebhookDelay",
    "maxWebhookDelay",
    action,
  );
  const signer = resolveWebhookScheme(scheme);
  const secret = options.webhookSecret;
  // The secret itself is never shown: an error message ends up in logs.
  if (secret !== undefined && !signer.isSecret(secret)) {
    throw new TypeError(
      `Cannot ${action} as 'webhookSecret' must be ${signer.secretForm} (scheme ${signer.name}): current value is ${
        typeof secret === "string"
          ? "a string in another form (not shown)"
          : show(secret)
      }`,
    );
  }
  const hosts = options.webhookAllowHosts ?? [];
  if (
    !Array.isArray(hosts) ||
    !hosts.every((host) => typeof host === "string" && host.trim() !== "")
  ) {
    throw new TypeError(
      `Cannot ${action} as 'webhookAllowHosts' must be an array of host names: current value is ${
        show(hosts)
      }`,
    );
  }
  const fetcher = options.fetch ?? globalThis.fetch;
  assertFunction("the simulator", "fetch", fetcher);
  const hmac = options.webhookHmac;
  assertFunction("the simulator", "webhookHmac", hmac, true);
  return Object.freeze({
    secret,
    scheme: signer,
    dropRate: numbers.webhookDropRate ?? 0,
    duplicateRate: numbers.webhookDuplicateRate ?? 0,
    minDelay: minWebhookDelay,
    maxDelay: maxWebhookDelay,
    allowHosts: new Set(hosts.map(normalHost)),
    fetch: fetcher,
    hmac,
  });
}

/** A host as `URL.hostname` gives it, lower case and without IPv6 brackets. */
function normalHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

/**
 * Checks a `callback_url`: an absolute `http:` or `https:` URL to a loopback
 * host (127.0.0.0/8, `::1`, `localhost`) or to one of the allowed hosts, so
 * that the simulator cannot be made to reach arbitrary hosts.
 *
 * @example
 * ```ts
 * import { checkCallbackUrl, resolveWebhookOptions } from "./webhook_options.ts";
 * import assert from "node:assert/strict";
 *
 * const config = resolveWebhookOptions({});
 * assert.equal(checkCallbackUrl("http://127.0.0.1:8080/hook", config), undefined);
 * assert.match(String(checkCallbackUrl("https://example.com/hook", config)), /--webhook-allow-host/);
 * ```
 *
 * @param value The field's value.
 * @param config The callback options.
 * @returns `undefined` when the URL may be called, otherwise why not.
 */
export function checkCallbackUrl(
  value: unknown,
  config: WebhookConfig,
): string | undefined {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (
    url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")
  ) {
    return `Cannot create a job as 'callback_url' must be an absolute http or https URL: current value is ${
      show(value)
    }`;
  }
  const host = normalHost(url.hostname);
  if (isLoopback(host) || config.allowHosts.has(host)) return undefined;
  return `Cannot create a job as 'callback_url' must name a loopback host (127.0.0.0/8, ::1, localhost) or one allowed with --webhook-allow-host (option 'webhookAllowHosts'): current value is ${
    show(value)
  }`;
}

/** Whether a host (as `URL` normalises it) is a loopback address. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" ||
    /^127\.\d+\.\d+\.\d+$/.test(host);
}
