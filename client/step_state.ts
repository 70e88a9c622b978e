/**
 * A wait's saved state: plain JSON that `VideoStatusClient.step()` returns
 * and that `step()` and `waitForJob()` take to continue the same wait, in
 * this process or another one, with the same deadline and at the same
 * place in the schedule.
 *
 * @module
 */

import type { LongPollMode } from "./poll.ts";
import type { ClientSettings } from "./settings.ts";
import { allowedUrl } from "./target.ts";
import { startPosition, type WaitPosition } from "./wait_machine.ts";
import { isFinalStatus, type VideoStatus } from "../protocol/status.ts";
import { show } from "../util/validate.ts";

/**
 * The name and version of a wait state's format, which a state carries as
 * its `format`: a client refuses a state of another.
 *
 * @example Tell a saved wait from other stored data
 * ```ts
 * import { WAIT_STATE_FORMAT } from "@video-status/client";
 *
 * const isSavedWait = (data: { format?: unknown }): boolean => data.format === WAIT_STATE_FORMAT;
 * ```
 */
export const WAIT_STATE_FORMAT = "video-status-client/wait@1" as const;

/**
 * A wait between two steps, as `VideoStatusClient.step()` returns it: plain
 * JSON, to store as it is (a queue job's data, a database row, a workflow's
 * history) and give back to `step()` or `waitForJob()`. Its times are the
 * client clock's milliseconds (the Unix epoch with the default clock). It
 * holds the job's status URL, query included, but no header value. Treat
 * it as opaque: a state with a field missing, unknown, out of range or
 * contradicting another is refused, not followed; but a state is not
 * signed, so keep it where only your own code writes.
 *
 * @example Store a state and read it back
 * ```ts
 * import type { WaitState } from "@video-status/client";
 *
 * const saved = new Map<string, string>();
 * const save = (key: string, state: WaitState): void => {
 *   saved.set(key, JSON.stringify(state));
 * };
 * const load = (key: string): WaitState => JSON.parse(saved.get(key)!);
 * ```
 */
export interface WaitState {
  /** The format and its version: `"video-status-client/wait@1"`. */
  format: typeof WAIT_STATE_FORMAT;
  /** The name of the dialect the wait reads answers with; a client of another dialect refuses the state. */
  dialect: string;
  /** The job's status URL. */
  url: string;
  /** The job's id, or `null` for a bare status URL. */
  jobId: string | null;
  /** The wait's time limit, in milliseconds. */
  timeout: number;
  /** When the wait ends with a `TimeoutError`. */
  deadline: number;
  /** When the job started, if `startKnown`; else when the wait started. */
  startedAt: number;
  /** Whether `startedAt` is the job's creation, so that the wait teaches the schedule the job's duration. */
  startKnown: boolean;
  /** Status requests sent so far. */
  attempts: number;
  /** Consecutive failed requests. */
  failures: number;
  /** Consecutive pacing answers (429, 503 with `Retry-After`). */
  paced: number;
  /** The last status heard, or `null`. */
  lastStatus: VideoStatus | null;
  /** When the last request started, or `null`. */
  lastSentAt: number | null;
  /** When the next request is due, before the `minDelay` floor, or `null` for now. */
  nextAt: number | null;
  /** When a pending status was last heard, or `null`. */
  pendingSeenAt: number | null;
  /** Whether the last thing heard was a pending status, with no failure since. */
  lastWasPending: boolean;
  /** How a polling wait asks: `"auto"` until the server shows it does not hold requests, then `"never"`. */
  longPoll: LongPollMode;
}

/** The state of a wait at `position`. */
export function waitStateOf(
  position: WaitPosition,
  dialect: string,
  longPoll: LongPollMode,
): WaitState {
  return { format: WAIT_STATE_FORMAT, dialect, ...position, longPoll };
}

/** Whether the value claims to be a wait's state (it has a `format`), rather than a job. */
export function isWaitState(value: unknown): value is { format: unknown } {
  return typeof value === "object" && value !== null && "format" in value;
}

const STATUSES: readonly (VideoStatus | null)[] = [
  null,
  "pending",
  "completed",
  "error",
];
const MODES: readonly LongPollMode[] = ["never", "always", "auto"];

const SUBJECT = "Cannot resume a wait";

/**
 * The position and long-poll mode a state (an object with a `format`, as
 * `isWaitState()` tells) holds, after checking every
 * field: a state of another format or version, another dialect, an origin
 * the client may not request, or with a field missing, extra, of the wrong
 * type or out of range, is a TypeError. So is a wait that has ended.
 */
export function parseWaitState(
  value: object,
  settings: Pick<ClientSettings, "dialect" | "origins">,
): { position: WaitPosition; longPoll: LongPollMode } {
  const state = value as Record<string, unknown>;
  if (state.format !== WAIT_STATE_FORMAT) {
    throw new TypeError(
      `${SUBJECT} as 'state.format' must be "${WAIT_STATE_FORMAT}" (a state of this client version): current value is ${
        show(state.format)
      }`,
    );
  }
  // The format's fields: those of a state of any wait.
  const allowed = new Set(Object.keys(waitStateOf(
    startPosition(0, { url: "", startedAt: undefined }, 1),
    "",
    "auto",
  )));
  const extra = Object.keys(state).find((key) => !allowed.has(key));
  if (extra !== undefined) {
    throw new TypeError(
      `${SUBJECT} as its state has a field the format does not know: '${extra}'`,
    );
  }
  const { name } = settings.dialect;
  if (state.dialect !== name) {
    throw new TypeError(
      `${SUBJECT} as 'state.dialect' must be this client's dialect "${name}": current value is ${
        show(state.dialect)
      }`,
    );
  }
  const field = (key: string, ok: (v: unknown) => boolean, must: string) => {
    if (!ok(state[key])) {
      throw new TypeError(
        `${SUBJECT} as 'state.${key}' must be ${must}: current value is ${
          show(state[key])
        }`,
      );
    }
    return state[key];
  };
  const time = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const timeOrNull = (v: unknown) => v === null || time(v);
  const FINITE = "a finite number";
  const FINITE_OR_NULL = "a finite number or null";
  const COUNT = "a non-negative integer";
  const BOOLEAN = "a boolean";
  const boolean = (v: unknown) => typeof v === "boolean";
  const url = allowedUrl(
    settings,
    "state.url",
    field("url", (v) => typeof v === "string", "a URL") as string,
  );
  const attempts = field("attempts", count, COUNT) as number;
  const counted = (v: unknown) => count(v) && (v as number) <= attempts;
  const position: WaitPosition = {
    url,
    jobId: field(
      "jobId",
      (v) => v === null || (typeof v === "string" && v !== ""),
      "a non-empty string or null",
    ) as string | null,
    timeout: field(
      "timeout",
      (v) => time(v) && (v as number) >= 1,
      "a finite number of at least 1",
    ) as number,
    deadline: field("deadline", time, FINITE) as number,
    startedAt: field("startedAt", time, FINITE) as number,
    startKnown: field("startKnown", boolean, BOOLEAN) as boolean,
    attempts,
    failures: field("failures", counted, `${COUNT} up to 'attempts'`) as number,
    paced: field("paced", counted, `${COUNT} up to 'attempts'`) as number,
    lastStatus: field(
      "lastStatus",
      (v) => STATUSES.includes(v as VideoStatus),
      "a status or null",
    ) as VideoStatus | null,
    lastSentAt: field("lastSentAt", timeOrNull, FINITE_OR_NULL) as
      | number
      | null,
    nextAt: field("nextAt", timeOrNull, FINITE_OR_NULL) as number | null,
    pendingSeenAt: field("pendingSeenAt", timeOrNull, FINITE_OR_NULL) as
      | number
      | null,
    lastWasPending: field("lastWasPending", boolean, BOOLEAN) as boolean,
  };
  const longPoll = field(
    "longPoll",
    (v) => MODES.includes(v as LongPollMode),
    `one of ${MODES.map((mode) => `"${mode}"`).join(", ")}`,
  ) as LongPollMode;
  if (position.lastStatus !== null && isFinalStatus(position.lastStatus)) {
    throw new TypeError(
      `${SUBJECT} as it has ended: its job's status was "${position.lastStatus}"`,
    );
  }
  assertConsistent(position);
  return { position, longPoll };
}

/**
 * Refuses a position whose fields contradict each other, which no wait
 * saved: a corrupt or hand-edited state. (A state is not signed: an edit
 * that keeps the fields consistent is not seen.)
 */
function assertConsistent(p: WaitPosition): void {
  const refuse = (key: string, must: string, value: unknown) =>
    new TypeError(
      `${SUBJECT} as 'state.${key}' must be ${must}: current value is ${
        show(value)
      }`,
    );
  // A step hears statuses only from its requests; each pending one sets both.
  if ((p.lastStatus === null) !== (p.pendingSeenAt === null)) {
    throw refuse(
      "pendingSeenAt",
      `null when, and only when, 'state.lastStatus' is null (it is ${
        show(p.lastStatus)
      })`,
      p.pendingSeenAt,
    );
  }
  if (p.lastWasPending && p.lastStatus !== "pending") {
    throw refuse(
      "lastWasPending",
      `false as no pending status was heard`,
      p.lastWasPending,
    );
  }
  if (p.attempts === 0 && p.lastSentAt !== null) {
    throw refuse(
      "lastSentAt",
      "null while 'state.attempts' is 0",
      p.lastSentAt,
    );
  }
  if (p.startKnown) return;
  // The wait of an id or a status URL started at `startedAt`.
  if (p.startedAt + p.timeout !== p.deadline) {
    throw refuse(
      "deadline",
      `'state.startedAt' + 'state.timeout' (${
        p.startedAt + p.timeout
      }) for a wait whose job's start is unknown`,
      p.deadline,
    );
  }
  for (const key of ["lastSentAt", "pendingSeenAt"] as const) {
    const at = p[key];
    if (at !== null && at < p.startedAt) {
      throw refuse(
        key,
        `at least 'state.startedAt' (${p.startedAt}), when the wait started`,
        at,
      );
    }
  }
}
