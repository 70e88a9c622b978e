import assert from "node:assert/strict";
import { GOOGLE_OPERATION } from "../../../protocol/dialects/google_operation.ts";
import { reading } from "./_read.ts";

// The fields of google.longrunning.Operation
// (https://cloud.google.com/php/docs/reference/longrunning/0.4.1/LongRunning.Operation,
// https://developers.google.com/spectrum-access-system/reference/rpc/google.longrunning):
// the stored references show no JSON example, so these bodies are built from
// the documented fields. The `@type` is the example of google.protobuf.Any.
const RUNNING = {
  name: "operations/op-1",
  metadata: { "@type": "type.googleapis.com/google.protobuf.Empty" },
  done: false,
};
const RESPONSE = {
  name: "operations/op-1",
  done: true,
  response: { "@type": "type.googleapis.com/google.protobuf.Empty" },
};
const CANCELLED = {
  name: "operations/op-1",
  done: true,
  error: { code: 1, message: "<message>" },
};

Deno.test("google-operation names the states of an operation", () => {
  assert.deepEqual(reading(GOOGLE_OPERATION, RUNNING), {
    result: "pending",
    status: "running",
    payload: null,
  });
  // proto3 JSON leaves out a false boolean.
  assert.equal(
    reading(GOOGLE_OPERATION, { name: "operations/op-1" }).status,
    "running",
  );
  assert.deepEqual(reading(GOOGLE_OPERATION, RESPONSE), {
    result: "completed",
    status: "done",
    payload: RESPONSE.response,
  });
  assert.deepEqual(reading(GOOGLE_OPERATION, CANCELLED), {
    result: "error",
    status: "cancelled",
    error: "<message>",
    payload: null,
  });
  const failed = { ...CANCELLED, error: { code: 13 } };
  assert.deepEqual(reading(GOOGLE_OPERATION, failed), {
    result: "error",
    status: "failed",
    payload: null,
  });
});

Deno.test("google-operation reports a body without a name or with a strange done", () => {
  const headers = new Headers();
  assert.deepEqual(GOOGLE_OPERATION.read({ done: true }, headers, 0), {
    problem: "missing",
    field: "name",
    message: "Expected a JSON object with a 'name'",
  });
  assert.deepEqual(
    GOOGLE_OPERATION.read({ name: "operations/x", done: "yes" }, headers, 0),
    {
      problem: "unknown",
      field: "done",
      value: "yes",
      message: 'Unknown done "yes"',
    },
  );
});

Deno.test("google-operation's id is the last part of the name", () => {
  assert.equal(GOOGLE_OPERATION.idOf(RUNNING), "op-1");
  assert.equal(
    GOOGLE_OPERATION.idOf({ name: "projects/p/locations/l/operations/op-2" }),
    "op-2",
  );
  assert.equal(GOOGLE_OPERATION.idOf({ name: "operations/" }), undefined);
  assert.equal(GOOGLE_OPERATION.idOf({ name: "jobs/op-3" }), undefined);
  assert.equal(GOOGLE_OPERATION.idOf({}), undefined);
});

Deno.test("google-operation writes an operation", () => {
  const job = { id: "op-1", progress: 0, createdAt: 0 };
  assert.deepEqual(GOOGLE_OPERATION.write({ ...job, status: "pending" }), {
    name: "operations/op-1",
    done: false,
  });
  assert.deepEqual(
    GOOGLE_OPERATION.write({
      ...job,
      status: "completed",
      videoUrl: "https://example.com/v.mp4",
    }),
    {
      name: "operations/op-1",
      done: true,
      response: { uri: "https://example.com/v.mp4" },
    },
  );
  assert.deepEqual(
    GOOGLE_OPERATION.write({
      ...job,
      status: "canceled",
      errorMessage: "<message>",
    }),
    CANCELLED,
  );
  assert.deepEqual(
    GOOGLE_OPERATION.write({ ...job, status: "error", errorMessage: "boom" }),
    {
      name: "operations/op-1",
      done: true,
      error: { code: 2, message: "boom" },
    },
  );
});

Deno.test("google-operation's path and Bearer key", () => {
  assert.equal(GOOGLE_OPERATION.jobPath("op-1"), "/v1/operations/op-1");
  assert.equal(
    GOOGLE_OPERATION.jobId(
      new URL("https://x.googleapis.com/v1/operations/op-1"),
    ),
    "op-1",
  );
  assert.deepEqual(GOOGLE_OPERATION.authHeader, {
    name: "authorization",
    scheme: "Bearer",
  });
});
