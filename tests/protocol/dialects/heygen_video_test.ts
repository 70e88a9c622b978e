import assert from "node:assert/strict";
import { HEYGEN_VIDEO } from "../../../protocol/dialects/heygen_video.ts";
import { reading } from "./_read.ts";

// Response examples of https://docs.heygen.com/reference/video-status,
// verbatim. The failed example's `error.message` is left out: the stored copy
// of the page cuts it off; its `detail` is whole.
const PROCESSING = {
  "code": 100,
  "data": {
    "callback_id": null,
    "caption_url": null,
    "duration": null,
    "error": null,
    "gif_url": null,
    "id": "<id>",
    "status": "processing",
    "thumbnail_url": null,
    "video_url": null,
    "video_url_caption": null,
  },
  "message": "Success",
};
const PENDING = {
  "code": 100,
  "data": {
    "callback_id": null,
    "caption_url": null,
    "duration": null,
    "error": null,
    "gif_url": null,
    "id": "<id>",
    "status": "pending",
    "thumbnail_url": null,
    "video_url": null,
    "video_url_caption": null,
  },
  "message": "Success",
};
const FAILED = {
  "code": 100,
  "data": {
    "callback_id": null,
    "caption_url": null,
    "duration": null,
    "error": {
      "code": 40119,
      "detail":
        "Video is too long (> 3600.0s). Please upgrade your plan to generate longer videos",
    },
    "gif_url": null,
    "id": "<id>",
    "status": "failed",
    "thumbnail_url": null,
    "video_url": null,
    "video_url_caption": null,
  },
  "message": "Success",
};

Deno.test("heygen-video reads the reference's examples", () => {
  for (const body of [PENDING, PROCESSING]) {
    assert.deepEqual(reading(HEYGEN_VIDEO, body), {
      result: "pending",
      status: body.data.status,
      payload: null,
    });
  }
  assert.deepEqual(reading(HEYGEN_VIDEO, FAILED), {
    result: "error",
    status: "failed",
    error:
      "Video is too long (> 3600.0s). Please upgrade your plan to generate longer videos",
    payload: null,
  });
  assert.equal(HEYGEN_VIDEO.idOf(FAILED), "<id>");
});

Deno.test("heygen-video reads waiting as pending and a completed video's URL", () => {
  // `waiting` is among the statuses of https://docs.heygen.com/reference/get-video-detail;
  // the stored pages hold no completed example, so this body is the
  // processing one with the documented fields of a completed video set.
  const waiting = {
    ...PROCESSING,
    data: { ...PROCESSING.data, status: "waiting" },
  };
  assert.equal(reading(HEYGEN_VIDEO, waiting).result, "pending");
  const completed = {
    ...PROCESSING,
    data: {
      ...PROCESSING.data,
      status: "completed",
      video_url: "https://example.com/v.mp4",
    },
  };
  assert.deepEqual(reading(HEYGEN_VIDEO, completed), {
    result: "completed",
    status: "completed",
    payload: "https://example.com/v.mp4",
  });
});

Deno.test("heygen-video writes the reference's shape", () => {
  const createdAt = Date.UTC(2026, 0, 1);
  const pending = HEYGEN_VIDEO.write({
    id: "<id>",
    status: "pending",
    progress: 0.3,
    createdAt,
  });
  assert.deepEqual(pending, {
    ...PROCESSING,
    data: { ...PROCESSING.data, created_at: createdAt / 1000 },
  });
  const failed = HEYGEN_VIDEO.write({
    id: "<id>",
    status: "canceled",
    progress: 0.3,
    createdAt,
    errorMessage: "Canceled",
  });
  assert.deepEqual(failed.data, {
    ...FAILED.data,
    created_at: createdAt / 1000,
    error: { detail: "Canceled", message: "Canceled" },
  });
});

Deno.test("heygen-video's status path and key header", () => {
  assert.equal(
    HEYGEN_VIDEO.jobPath("<id>"),
    "/v1/video_status.get?video_id=%3Cid%3E",
  );
  assert.equal(
    HEYGEN_VIDEO.jobId(
      new URL("https://api.heygen.com/v1/video_status.get?video_id=abc"),
    ),
    "abc",
  );
  assert.equal(HEYGEN_VIDEO.createPath, undefined);
  assert.deepEqual(HEYGEN_VIDEO.authHeader, { name: "x-api-key" });
});
