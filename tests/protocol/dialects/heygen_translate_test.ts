import assert from "node:assert/strict";
import { HEYGEN_TRANSLATE } from "../../../protocol/dialects/heygen_translate.ts";
import { reading } from "./_read.ts";

// The four response examples of
// https://docs.heygen.com/reference/video-translate-status, verbatim.
const SUCCESS = {
  "error": null,
  "data": {
    "video_translate_id": "<video_translate_id>",
    "title": "New Video",
    "status": "success",
    "url": "<url>",
    "message": null,
  },
};
const FAILED = {
  "error": null,
  "data": {
    "video_translate_id": "<video_translate_id>",
    "title": "New Video",
    "status": "failed",
    "url": null,
    "message": "<message>",
  },
};
const PENDING = {
  "error": null,
  "data": {
    "video_translate_id": "<video_translate_id>",
    "title": "New Video",
    "status": "pending",
    "url": null,
    "message": null,
  },
};
const RUNNING = {
  "error": null,
  "data": {
    "video_translate_id": "<video_translate_id>",
    "title": "New Video",
    "status": "running",
    "url": null,
    "message": null,
  },
};

Deno.test("heygen-translate reads the reference's examples", () => {
  assert.deepEqual(reading(HEYGEN_TRANSLATE, SUCCESS), {
    result: "completed",
    status: "success",
    payload: "<url>",
  });
  assert.deepEqual(reading(HEYGEN_TRANSLATE, FAILED), {
    result: "error",
    status: "failed",
    error: "<message>",
    payload: null,
  });
  for (const body of [PENDING, RUNNING]) {
    assert.deepEqual(reading(HEYGEN_TRANSLATE, body), {
      result: "pending",
      status: body.data.status,
      payload: null,
    });
  }
  assert.equal(HEYGEN_TRANSLATE.idOf(SUCCESS), "<video_translate_id>");
});

Deno.test("heygen-translate writes the reference's shape", () => {
  const written = HEYGEN_TRANSLATE.write({
    id: "<video_translate_id>",
    status: "completed",
    progress: 1,
    createdAt: 0,
    finishedAt: 1_000,
    videoUrl: "<url>",
  });
  assert.deepEqual(written, SUCCESS);
  assert.deepEqual(
    HEYGEN_TRANSLATE.write({
      id: "<video_translate_id>",
      status: "error",
      progress: 0.5,
      createdAt: 0,
      errorMessage: "<message>",
    }),
    FAILED,
  );
});

Deno.test("heygen-translate's status path and key header", () => {
  assert.equal(HEYGEN_TRANSLATE.jobPath("t 1"), "/v2/video_translate/t%201");
  assert.equal(HEYGEN_TRANSLATE.createPath, "/v2/video_translate");
  assert.deepEqual(HEYGEN_TRANSLATE.authHeader, { name: "x-api-key" });
});
