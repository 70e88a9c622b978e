// Reads a body with a dialect and fails the test unless it is a reading.

import assert from "node:assert/strict";
import {
  type Dialect,
  isReadProblem,
  type Reading,
} from "../../../protocol/dialect.ts";

/** The reading of a body, at time 0 with no headers unless given. */
export function reading(
  dialect: Dialect,
  body: unknown,
  headers: Headers = new Headers(),
  now = 0,
): Reading {
  const result = dialect.read(body, headers, now);
  assert.ok(!isReadProblem(result), `unreadable: ${JSON.stringify(result)}`);
  return result;
}
