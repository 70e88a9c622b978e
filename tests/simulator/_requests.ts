// Requests to an in-process simulator, shared by the simulator's tests.

import assert from "node:assert/strict";
import type { Simulator } from "../../server.ts";

/** The origin the tests' requests name; the simulator ignores it. */
export const BASE = "http://sim.test";

/** Sends a request for `path`, from the client address `client`. */
export function get(
  simulator: Simulator,
  path: string,
  init: RequestInit = {},
  client = "10.0.0.1",
): Promise<Response> {
  return simulator.fetch(new Request(BASE + path, init), {
    remoteAddr: { hostname: client },
  });
}

/** Creates a job (asserting the 201) and returns its id. */
export async function createJob(
  simulator: Simulator,
  script: Record<string, unknown> = {},
): Promise<string> {
  const response = await simulator.fetch(
    new Request(`${BASE}/jobs`, {
      method: "POST",
      body: JSON.stringify(script),
    }),
  );
  assert.equal(response.status, 201);
  const { id } = await response.json();
  return id;
}

/** Posts `body` to `/jobs`. */
export function post(simulator: Simulator, body?: BodyInit): Promise<Response> {
  return simulator.fetch(
    new Request(`${BASE}/jobs`, { method: "POST", body }),
  );
}

/** Asserts a JSON error answer with this status and a matching message. */
export async function expectError(
  response: Response,
  status: number,
  pattern: RegExp,
): Promise<void> {
  assert.equal(response.status, status);
  assert.equal(response.headers.get("content-type"), "application/json");
  const body = await response.json();
  assert.match(body.error, pattern);
}
