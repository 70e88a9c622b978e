import assert from "node:assert/strict";
import { REPLICATE } from "../../../protocol/dialects/replicate.ts";
import { reading } from "./_read.ts";

// "Get a prediction" of Replicate's HTTP reference
// (https://replicate.com/docs/reference/http#predictions.get, read through the
// copy at https://8mdkf4f12u.apifox.cn/api-135794486), verbatim.
const SUCCEEDED = {
  "id": "gm3qorzdhgbfurvjtvhg6dckhu",
  "model": "replicate/hello-world",
  "version": "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
  "input": {
    "text": "Alice",
  },
  "logs": "",
  "output": "hello Alice",
  "error": null,
  "status": "succeeded",
  "created_at": "2023-09-08T16:19:34.765994Z",
  "started_at": "2023-09-08T16:19:34.779176Z",
  "completed_at": "2023-09-08T16:19:34.791859Z",
  "metrics": {
    "predict_time": 0.012683,
  },
  "urls": {
    "cancel":
      "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel",
    "get":
      "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu",
  },
};
// The answer to "Create a prediction" in the same reference, verbatim.
const STARTING = {
  "id": "gm3qorzdhgbfurvjtvhg6dckhu",
  "model": "replicate/hello-world",
  "version": "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
  "input": {
    "text": "Alice",
  },
  "logs": "",
  "error": null,
  "status": "starting",
  "created_at": "2023-09-08T16:19:34.765994657Z",
  "urls": {
    "cancel":
      "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel",
    "get":
      "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu",
  },
};

Deno.test("replicate reads the reference's examples", () => {
  assert.deepEqual(reading(REPLICATE, SUCCEEDED), {
    result: "completed",
    status: "succeeded",
    payload: "hello Alice",
  });
  assert.deepEqual(reading(REPLICATE, STARTING), {
    result: "pending",
    status: "starting",
    payload: null,
  });
  assert.equal(REPLICATE.idOf(STARTING), "gm3qorzdhgbfurvjtvhg6dckhu");
});

Deno.test("replicate reads processing, failed and canceled predictions", () => {
  // The reference shows no body for these states: the succeeded example with
  // the documented status words and its `error` string set.
  const processing = { ...SUCCEEDED, status: "processing", output: null };
  assert.equal(reading(REPLICATE, processing).result, "pending");
  const failed = {
    ...SUCCEEDED,
    status: "failed",
    output: null,
    error: "<error>",
  };
  assert.deepEqual(reading(REPLICATE, failed), {
    result: "error",
    status: "failed",
    error: "<error>",
    payload: null,
  });
  const canceled = { ...SUCCEEDED, status: "canceled", output: null };
  assert.deepEqual(reading(REPLICATE, canceled), {
    result: "error",
    status: "canceled",
    payload: null,
  });
});

Deno.test("replicate writes the reference's shape", () => {
  const createdAt = Date.parse("2023-09-08T16:19:34.765Z");
  const finishedAt = Date.parse("2023-09-08T16:19:34.791Z");
  assert.deepEqual(
    REPLICATE.write({
      id: "gm3qorzdhgbfurvjtvhg6dckhu",
      status: "completed",
      progress: 1,
      createdAt,
      finishedAt,
      videoUrl: "https://example.com/out.mp4",
    }),
    {
      id: "gm3qorzdhgbfurvjtvhg6dckhu",
      input: {},
      logs: "",
      output: "https://example.com/out.mp4",
      error: null,
      status: "succeeded",
      created_at: "2023-09-08T16:19:34.765Z",
      started_at: "2023-09-08T16:19:34.765Z",
      completed_at: "2023-09-08T16:19:34.791Z",
    },
  );
  const starting = REPLICATE.write({
    id: "p1",
    status: "pending",
    progress: 0,
    createdAt,
  });
  assert.equal(starting.status, "starting");
  assert.equal(starting.started_at, null);
  assert.equal(starting.completed_at, null);
  const canceled = REPLICATE.write({
    id: "p1",
    status: "canceled",
    progress: 0.5,
    createdAt,
    finishedAt,
  });
  assert.equal(canceled.status, "canceled");
});

Deno.test("replicate's paths, Prefer: wait on create and Bearer key", () => {
  assert.equal(REPLICATE.jobPath("p1"), "/v1/predictions/p1");
  assert.equal(REPLICATE.createPath, "/v1/predictions");
  assert.equal(REPLICATE.preferWait, true);
  assert.deepEqual(REPLICATE.authHeader, {
    name: "authorization",
    scheme: "Bearer",
  });
});
