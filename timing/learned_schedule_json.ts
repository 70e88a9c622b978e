/**
 * The saved form of what a `LearnedSchedule` learned: a versioned JSON
 * document, checked field by field when read back, so that a corrupt or
 * foreign document is an error and never a silently wrong plan.
 *
 * @module
 */

import {
  BIN_COUNT,
  BINS_PER_OCTAVE,
  type HistogramState,
} from "./duration_histogram.ts";
import { show } from "../util/validate.ts";

/** The `format` of every saved learned schedule. */
export const LEARNED_SCHEDULE_FORMAT = "video-status-client/learned-schedule";
/** The version this code writes and reads. */
export const LEARNED_SCHEDULE_VERSION = 2;

/**
 * Recency weights of consecutive histogram bins: bin `from + i` holds
 * `weights[i]`, every other bin 0.
 *
 * @example
 * ```ts
 * import type { LearnedBins } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const bins: LearnedBins = { from: 212, weights: [0.5, 1] };
 * assert.equal(bins.weights.length, 2);
 * ```
 */
export interface LearnedBins {
  /** The first bin. */
  from: number;
  /** The weights from that bin on, each finite and at least 0. */
  weights: number[];
}

/**
 * What a `LearnedSchedule` learned, as `toJSON()` gives it and `fromJSON()`
 * and `merge()` take it. Durations are kept in bins of a logarithmic
 * histogram (16 a doubling, from 1 ms); weights count recent jobs more.
 * Running waits are not part of it, nor the options.
 *
 * @example
 * ```ts
 * import { LearnedSchedule, type LearnedScheduleJSON } from "@video-status/client";
 * import assert from "node:assert/strict";
 *
 * const schedule = new LearnedSchedule();
 * schedule.observe({ after: 9000, atMost: 10_000 });
 * const saved: LearnedScheduleJSON = schedule.toJSON();
 * assert.equal(saved.format, "video-status-client/learned-schedule");
 * assert.equal(saved.observations, 1);
 * ```
 */
export interface LearnedScheduleJSON {
  /** Always `"video-status-client/learned-schedule"`. */
  format: typeof LEARNED_SCHEDULE_FORMAT;
  /** The document's version: 2. */
  version: typeof LEARNED_SCHEDULE_VERSION;
  /** The histogram's layout: 16 bins a doubling, 512 bins. */
  binsPerOctave: number;
  /** Number of bins. */
  bins: number;
  /** Completions learned from, a plain count. */
  observations: number;
  /** Recency-weighted sum of the completions' log-durations (ln ms). */
  logSum: number;
  /** Recency-weighted sum of their squares. */
  logSquareSum: number;
  /** Recency-weighted completions by bin. */
  completed: LearnedBins;
  /** Recency-weighted waits given up by bin: their jobs ran longer. */
  unfinished: LearnedBins;
}

/** The document of a histogram's state. */
export function encodeState(state: HistogramState): LearnedScheduleJSON {
  return {
    format: LEARNED_SCHEDULE_FORMAT,
    version: LEARNED_SCHEDULE_VERSION,
    binsPerOctave: BINS_PER_OCTAVE,
    bins: BIN_COUNT,
    observations: state.observations,
    logSum: state.logSum,
    logSquareSum: state.logSquareSum,
    completed: encodeBins(state.completed),
    unfinished: encodeBins(state.unfinished),
  };
}

/**
 * The state a document holds, checked.
 *
 * @param json The document, or its JSON text.
 * @param action What the caller does, for messages ("restore
 * LearnedSchedule").
 * @throws {TypeError} Naming the first field that is wrong.
 */
export function decodeState(json: unknown, action: string): HistogramState {
  const fail = (field: string, wanted: string, value: unknown): never => {
    throw new TypeError(
      `Cannot ${action} as '${field}' must be ${wanted}: current value is ${
        show(value)
      }`,
    );
  };
  let document = json;
  if (typeof json === "string") {
    try {
      document = JSON.parse(json);
    } catch {
      fail("json", "a learned schedule's JSON text", json);
    }
  }
  if (
    typeof document !== "object" || document === null ||
    Array.isArray(document)
  ) {
    return fail("json", "a learned schedule document (an object)", document);
  }
  const doc = document as Record<string, unknown>;
  if (doc.format !== LEARNED_SCHEDULE_FORMAT) {
    fail("format", JSON.stringify(LEARNED_SCHEDULE_FORMAT), doc.format);
  }
  if (doc.version !== LEARNED_SCHEDULE_VERSION) {
    fail("version", `${LEARNED_SCHEDULE_VERSION}`, doc.version);
  }
  if (doc.binsPerOctave !== BINS_PER_OCTAVE) {
    fail("binsPerOctave", `${BINS_PER_OCTAVE}`, doc.binsPerOctave);
  }
  if (doc.bins !== BIN_COUNT) fail("bins", `${BIN_COUNT}`, doc.bins);
  const { observations, logSum, logSquareSum } = doc;
  if (
    typeof observations !== "number" || !Number.isSafeInteger(observations) ||
    observations < 0
  ) {
    fail("observations", "a non-negative integer", observations);
  }
  const completed = decodeBins(doc.completed, "completed", fail);
  const unfinished = decodeBins(doc.unfinished, "unfinished", fail);
  // Each completion weighs at most 1, so the weights cannot outnumber them.
  const weight = completed.reduce((sum, value) => sum + value, 0);
  if (weight > (observations as number) * (1 + 1e-9)) {
    fail(
      "observations",
      `at least the completed weight (${weight})`,
      observations,
    );
  }
  if (typeof logSum !== "number" || !Number.isFinite(logSum)) {
    fail("logSum", "a finite number", logSum);
  }
  // A sum of squares is never negative, nor below the square of the mean.
  const least = weight > 0 ? (logSum as number) ** 2 / weight : 0;
  if (
    typeof logSquareSum !== "number" || !Number.isFinite(logSquareSum) ||
    logSquareSum < least * (1 - 1e-9) - 1e-9
  ) {
    fail("logSquareSum", `a finite number of at least ${least}`, logSquareSum);
  }
  return {
    observations: observations as number,
    logSum: logSum as number,
    logSquareSum: logSquareSum as number,
    completed,
    unfinished,
  };
}

function encodeBins(array: Float64Array): LearnedBins {
  let from = array.findIndex((value) => value > 0);
  if (from < 0) from = array.length;
  let to = array.length;
  while (to > from && !(array[to - 1] > 0)) to--;
  return { from, weights: Array.from(array.subarray(from, to)) };
}

function decodeBins(
  value: unknown,
  name: string,
  fail: (field: string, wanted: string, value: unknown) => never,
): Float64Array {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(name, "an object of 'from' and 'weights'", value);
  }
  const { from, weights } = value as Record<string, unknown>;
  if (
    typeof from !== "number" || !Number.isInteger(from) || from < 0 ||
    from > BIN_COUNT
  ) {
    fail(`${name}.from`, `an integer from 0 to ${BIN_COUNT}`, from);
  }
  const start = from as number;
  if (!Array.isArray(weights) || weights.length > BIN_COUNT - start) {
    fail(
      `${name}.weights`,
      `an array of at most ${BIN_COUNT - start} numbers`,
      weights,
    );
  }
  const array = new Float64Array(BIN_COUNT);
  (weights as unknown[]).forEach((weight, i) => {
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) {
      fail(`${name}.weights[${i}]`, "a non-negative finite number", weight);
    }
    array[start + i] = weight as number;
  });
  return array;
}
