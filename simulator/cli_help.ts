/**
 * The simulator command line's `--help` text, and the defaults it shows in
 * seconds.
 *
 * @module
 */

import { CONNECTION_DEFAULTS } from "./adapters/listener.ts";
import { DEFAULT_OPTIONS } from "./options.ts";

/** The defaults of the options whose flags are given in seconds, in seconds. */
export const DEFAULT_SECONDS = {
  minDuration: inSeconds(DEFAULT_OPTIONS.minDuration),
  maxDuration: inSeconds(DEFAULT_OPTIONS.maxDuration),
  maxWait: inSeconds(DEFAULT_OPTIONS.maxWait),
  headerTimeout: inSeconds(CONNECTION_DEFAULTS.headerTimeout),
  idleTimeout: inSeconds(CONNECTION_DEFAULTS.idleTimeout),
  shutdownGrace: inSeconds(CONNECTION_DEFAULTS.shutdownGrace),
} as const;

/** Milliseconds as seconds, the unit of the seed's flags. */
export function inSeconds(milliseconds: number): number {
  return milliseconds / 1_000;
}

/**
 * The `--help` text.
 *
 * @example
 * ```ts
 * import { help } from "./cli_help.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(help("video-status-client-server"), /^Usage: video-status-client-server \[options\]/);
 * assert.match(help("video-status-client-server"), /--max-jobs N/);
 * ```
 *
 * @param command How the user runs the command.
 * @returns The text.
 */
export function help(command: string): string {
  return `Usage: ${command} [options]

Simulates a video translation status API (see README.md).

Options:
  --port N                   Port to listen on; 0 picks a free one (default: 5000)
  --hostname HOST            Address to listen on (default: 127.0.0.1)
  --min-duration SECONDS     Shortest duration of a job, from its creation to its
                             final status (default: ${DEFAULT_SECONDS.minDuration})
  --max-duration SECONDS     Longest duration of a job (default: ${DEFAULT_SECONDS.maxDuration})
  --error-rate P             Probability, 0 to 1, that a job ends in "error"
                             (default: ${DEFAULT_OPTIONS.errorRate})
  --seed N                   Integer seed that makes every random draw
                             reproducible (default: unseeded)
  --max-jobs N               Jobs kept at most; the earliest finished is evicted
                             first, and POST /jobs answers 503 when all are
                             pending (default: ${DEFAULT_OPTIONS.maxJobs})
  --max-wait SECONDS         Cap on a "Prefer: wait=N" long-poll; 0 turns
                             long-poll off (default: ${DEFAULT_SECONDS.maxWait})
  --fault-rate P             Fraction, 0 to 1, of status responses replaced by a
                             500 or 503 (default: 0)
  --latency MIN..MAX         Milliseconds added to each response, drawn
                             uniformly; a single N means N..N (default: 0..0)
  --reset-rate P             Fraction, 0 to 1, of status responses whose
                             connection drops mid-body (default: 0)
  --rate-limit N             Requests per second per client address; beyond it
                             429 with Retry-After (default: unlimited)
  --dialect NAME             Answer like this API: video-status (default),
                             heygen-translate, heygen-video, replicate,
                             google-operation, azure-operation, openai-video;
                             its job paths, status words and bodies (POST /jobs
                             creates a job in every dialect), and its cancel
                             request where the API has one (POST
                             /jobs/{id}/cancel in video-status)
  --api-key KEY              Require KEY in the dialect's auth header (401
                             without it); the dialect must have one
  --webhook-secret SECRET    Sign callbacks (POST /jobs "callback_url") the way
                             the dialect's API does: Standard Webhooks with a
                             "whsec_" + base64 key by default; heygen-video
                             and heygen-translate: a Signature header with the
                             endpoint secret as written (default: unsigned)
  --webhook-drop-rate P      Fraction, 0 to 1, of callbacks never sent
                             (default: 0)
  --webhook-duplicate-rate P Fraction, 0 to 1, of callbacks sent twice with the
                             same webhook-id (default: 0)
  --webhook-delay MIN..MAX   Milliseconds before a callback's first attempt,
                             drawn uniformly; a single N means N..N
                             (default: 0..0)
  --webhook-allow-host HOST  Let a callback_url name HOST besides loopback
                             (127.0.0.0/8, ::1, localhost); repeatable
                             (default: loopback only)
  --legacy                   Behave like the seed server: plain GET /status JSON,
                             no Retry-After hints, no long-poll, no events,
                             WebSocket or cancel
  --header-timeout SECONDS   Time a connection has to send a complete request
                             head; past it, it is closed (default: ${DEFAULT_SECONDS.headerTimeout})
  --idle-timeout SECONDS     Time a connection may sit idle between requests
                             before it is closed (default: ${DEFAULT_SECONDS.idleTimeout})
  --max-connections N        Open connections at most; one more is turned away
                             (answered 503 and closed under Deno, closed under
                             Node.js) (default: ${CONNECTION_DEFAULTS.maxConnections})
  --shutdown-grace SECONDS   Time SIGINT/SIGTERM lets responses in progress end
                             before the last connections are closed (default: ${DEFAULT_SECONDS.shutdownGrace})
  -h, --help                 Show this help and exit
`;
}
