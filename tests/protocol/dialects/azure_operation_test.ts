import assert from "node:assert/strict";
import { AZURE_OPERATION } from "../../../protocol/dialects/azure_operation.ts";
import { reading } from "./_read.ts";

// The status monitors of "Long-running Action Operations" in
// https://github.com/microsoft/api-guidelines/blob/vNext/azure/ConsiderationsForServiceDesign.md,
// verbatim but for `result`, shown there as `{ ... }`.
const NOT_STARTED = { "id": "22", "status": "NotStarted" };
const RUNNING = { "id": "22", "status": "Running" };
const SUCCEEDED = { "id": "22", "status": "Succeeded", "result": {} };
const CANCELED = { "id": "22", "status": "Canceled" };

Deno.test("azure-operation reads the guidelines' status monitors", () => {
  for (const body of [NOT_STARTED, RUNNING]) {
    assert.deepEqual(reading(AZURE_OPERATION, body), {
      result: "pending",
      status: body.status,
      payload: null,
    });
  }
  assert.deepEqual(reading(AZURE_OPERATION, SUCCEEDED), {
    result: "completed",
    status: "Succeeded",
    payload: {},
  });
  assert.deepEqual(reading(AZURE_OPERATION, CANCELED), {
    result: "error",
    status: "Canceled",
    payload: null,
  });
  assert.equal(AZURE_OPERATION.idOf(RUNNING), "22");
});

Deno.test("azure-operation reads a failure's message and the Retry-After of a pending one", () => {
  // "If the status is Failed, the status monitor resource contains an error
  // field with a code and message": the guidelines show no body for it.
  const failed = {
    id: "22",
    status: "Failed",
    error: { code: "<code>", message: "<message>" },
  };
  assert.deepEqual(reading(AZURE_OPERATION, failed), {
    result: "error",
    status: "Failed",
    error: "<message>",
    payload: null,
  });
  const now = Date.UTC(2026, 0, 1);
  const hinted = new Headers({ "retry-after": "5" });
  assert.equal(
    reading(AZURE_OPERATION, RUNNING, hinted, now).retryAfter,
    5_000,
  );
  const dated = new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" });
  assert.equal(reading(AZURE_OPERATION, RUNNING, dated, now).retryAfter, 7_000);
  assert.equal("retryAfter" in reading(AZURE_OPERATION, RUNNING), false);
  // A final answer needs no next request.
  assert.equal(
    "retryAfter" in reading(AZURE_OPERATION, SUCCEEDED, hinted, now),
    false,
  );
  assert.equal(
    (AZURE_OPERATION.read({ id: "22" }, hinted, now) as { problem?: string })
      .problem,
    "missing",
  );
});

Deno.test("azure-operation writes the guidelines' shape", () => {
  const job = { id: "22", progress: 0, createdAt: 0 };
  assert.deepEqual(
    AZURE_OPERATION.write({ ...job, status: "pending" }),
    NOT_STARTED,
  );
  assert.deepEqual(
    AZURE_OPERATION.write({ ...job, status: "pending", progress: 0.5 }),
    RUNNING,
  );
  assert.deepEqual(
    AZURE_OPERATION.write({ ...job, status: "canceled" }),
    CANCELED,
  );
  assert.deepEqual(
    AZURE_OPERATION.write({
      ...job,
      status: "completed",
      progress: 1,
      videoUrl: "https://example.com/v.mp4",
    }),
    { id: "22", status: "Succeeded", result: "https://example.com/v.mp4" },
  );
  assert.deepEqual(
    AZURE_OPERATION.write({ ...job, status: "error", errorMessage: "boom" }),
    { id: "22", status: "Failed", error: { message: "boom" } },
  );
});

Deno.test("azure-operation's status monitor path, Operation-Location and key", () => {
  assert.equal(AZURE_OPERATION.jobPath("22"), "/operations/22");
  assert.equal(AZURE_OPERATION.locationHeader, "operation-location");
  assert.deepEqual(AZURE_OPERATION.authHeader, {
    name: "authorization",
    scheme: "Bearer",
  });
});
