import assert from "node:assert/strict";
import { OPENAI_VIDEO } from "../../../protocol/dialects/openai_video.ts";
import { reading } from "./_read.ts";

// The answer to "Create video" of OpenAI's API reference
// (https://developers.openai.com/api/reference/resources/videos/methods/create),
// verbatim: a job's first state.
const QUEUED = {
  "id": "video_123",
  "object": "video",
  "model": "sora-2",
  "status": "queued",
  "progress": 0,
  "created_at": 1712697600,
  "size": "1024x1792",
  "seconds": "8",
  "quality": "standard",
};

Deno.test("openai-video reads the reference's example", () => {
  assert.deepEqual(reading(OPENAI_VIDEO, QUEUED), {
    result: "pending",
    status: "queued",
    progress: 0,
    payload: QUEUED,
  });
  assert.equal(OPENAI_VIDEO.idOf(QUEUED), "video_123");
});

Deno.test("openai-video reads progress, completion and a failure's message", () => {
  // The reference (https://developers.openai.com/api/reference/python/resources/videos/methods/retrieve/)
  // documents these fields but shows no body for these states: the example
  // above with them set.
  const running = { ...QUEUED, status: "in_progress", progress: 42 };
  assert.deepEqual(reading(OPENAI_VIDEO, running), {
    result: "pending",
    status: "in_progress",
    progress: 0.42,
    payload: running,
  });
  const completed = {
    ...QUEUED,
    status: "completed",
    progress: 100,
    completed_at: 1712697700,
  };
  assert.deepEqual(reading(OPENAI_VIDEO, completed), {
    result: "completed",
    status: "completed",
    progress: 1,
    payload: completed,
  });
  const failed = {
    ...QUEUED,
    status: "failed",
    error: { code: "<code>", message: "<message>" },
  };
  assert.deepEqual(reading(OPENAI_VIDEO, failed), {
    result: "error",
    status: "failed",
    progress: 0,
    error: "<message>",
    payload: failed,
  });
});

Deno.test("openai-video writes the reference's shape, progress in percent", () => {
  const createdAt = 1712697600_000;
  assert.deepEqual(
    OPENAI_VIDEO.write({
      id: "video_123",
      status: "pending",
      progress: 0,
      createdAt,
    }),
    {
      id: "video_123",
      object: "video",
      model: "sora-2",
      status: "queued",
      progress: 0,
      created_at: 1712697600,
      completed_at: null,
      size: "1024x1792",
      seconds: "8",
      error: null,
    },
  );
  const running = OPENAI_VIDEO.write({
    id: "video_123",
    status: "pending",
    progress: 0.377,
    createdAt,
  });
  assert.equal(running.status, "in_progress");
  assert.equal(running.progress, 38);
  const failed = OPENAI_VIDEO.write({
    id: "video_123",
    status: "error",
    progress: 0.5,
    createdAt,
    finishedAt: createdAt + 60_000,
    errorMessage: "Render failed",
  });
  assert.equal(failed.status, "failed");
  assert.equal(failed.completed_at, 1712697660);
  assert.deepEqual(failed.error, { message: "Render failed" });
});

Deno.test("openai-video's paths and Bearer key", () => {
  assert.equal(OPENAI_VIDEO.jobPath("video_123"), "/v1/videos/video_123");
  assert.equal(OPENAI_VIDEO.createPath, "/v1/videos");
  assert.deepEqual(OPENAI_VIDEO.authHeader, {
    name: "authorization",
    scheme: "Bearer",
  });
});
