import assert from "node:assert/strict";
import type {
  JobSnapshot,
  JobSnapshotStatus,
} from "../../../protocol/dialect.ts";
import {
  type Dialect,
  type DialectName,
  PRESETS,
  resolveDialect,
  VIDEO_STATUS,
} from "../../../protocol/dialects/mod.ts";
import { seededRandom } from "../../../util/random.ts";
import { reading } from "./_read.ts";

/** What each preset carries through a round trip, besides result and id. */
interface Carries {
  progress: boolean;
  error: boolean;
  /** The video URL in a completed reading's payload, if the wire holds one. */
  url?: (payload: unknown) => unknown;
  /** The word a canceled job reads back with. */
  canceled: string;
  /** The error a canceled job reads back with, where the dialect writes its own reason. */
  canceledError?: string;
}

const asIs = (payload: unknown): unknown => payload;
const CARRIES: Record<DialectName, Carries> = {
  "video-status": {
    progress: false,
    error: false,
    canceled: "error",
    canceledError: "canceled",
  },
  "heygen-translate": {
    progress: false,
    error: true,
    url: asIs,
    canceled: "failed",
  },
  "heygen-video": {
    progress: false,
    error: true,
    url: asIs,
    canceled: "failed",
  },
  "replicate": {
    progress: false,
    error: true,
    url: asIs,
    canceled: "canceled",
  },
  "google-operation": {
    progress: false,
    error: true,
    url: (payload) => (payload as { uri?: unknown }).uri,
    canceled: "cancelled",
  },
  "azure-operation": {
    progress: false,
    error: true,
    url: asIs,
    canceled: "Canceled",
  },
  "openai-video": { progress: true, error: true, canceled: "failed" },
};

const STATUSES: JobSnapshotStatus[] = [
  "pending",
  "completed",
  "error",
  "canceled",
];
const ID_CHARS = "abcXYZ019-_ ./?&=%#ü";

function randomSnapshot(random: () => number): JobSnapshot {
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)];
  const text = (length: number): string =>
    Array.from({ length }, () => pick([...ID_CHARS])).join("");
  const status = pick(STATUSES);
  const createdAt = Date.UTC(2026, 0, 1) + Math.floor(random() * 1e9);
  let id = text(1 + Math.floor(random() * 12));
  // A URL cannot hold these as a path segment (jobRoute() refuses them).
  while (id === "." || id === "..") id = text(3);
  const job: JobSnapshot = {
    id,
    status,
    progress: status === "completed" ? 1 : random(),
    createdAt,
  };
  if (status !== "pending") job.finishedAt = createdAt + 1_000;
  if (status === "completed") {
    job.videoUrl = `https://example.com/${job.id}.mp4`;
  }
  if ((status === "error" || status === "canceled") && random() < 0.8) {
    job.errorMessage = `failed: ${text(1 + Math.floor(random() * 20))}`;
  }
  return job;
}

Deno.test("every preset reads back what it writes", async (t) => {
  for (const [name, dialect] of Object.entries(PRESETS)) {
    const carries = CARRIES[name as DialectName];
    await t.step(name, () => {
      const random = seededRandom(name.length * 7919);
      for (let i = 0; i < 300; i++) {
        const job = randomSnapshot(random);
        const label = `${name} ${JSON.stringify(job)}`;
        // Through JSON, as on the wire.
        const body = JSON.parse(JSON.stringify(dialect.write(job)));
        const read = reading(dialect, body);
        const result = job.status === "canceled" ? "error" : job.status;
        assert.equal(read.result, result, label);
        assert.equal(dialect.idOf(body), job.id, label);
        if (job.status === "canceled") {
          assert.equal(read.status, carries.canceled, label);
        }
        if (carries.progress) {
          assert.ok(
            Math.abs((read.progress ?? -1) - job.progress) <= 0.005,
            label,
          );
        } else assert.equal(read.progress, undefined, label);
        if (job.status === "canceled" && carries.canceledError) {
          assert.equal(read.error, carries.canceledError, label);
        } else if (carries.error && job.errorMessage !== undefined) {
          assert.equal(read.error, job.errorMessage, label);
        } else assert.equal(read.error, undefined, label);
        if (carries.url !== undefined && job.status === "completed") {
          assert.equal(carries.url(read.payload), job.videoUrl, label);
        }
        const url = new URL(dialect.jobPath(job.id), "http://localhost");
        assert.equal(dialect.jobId(url), job.id, label);
      }
    });
  }
});

Deno.test("PRESETS holds each preset under its own name", () => {
  assert.deepEqual(Object.keys(PRESETS), [
    "video-status",
    "heygen-translate",
    "heygen-video",
    "replicate",
    "google-operation",
    "azure-operation",
    "openai-video",
  ]);
  for (const [name, dialect] of Object.entries(PRESETS)) {
    assert.equal(dialect.name, name);
  }
  assert.ok(Object.isFrozen(PRESETS));
});

Deno.test("resolveDialect() takes a preset's name or a dialect", async (t) => {
  await t.step("video-status by default", () => {
    assert.equal(resolveDialect(), VIDEO_STATUS);
    assert.equal(resolveDialect(undefined), VIDEO_STATUS);
  });
  await t.step("a preset by name", () => {
    for (const [name, dialect] of Object.entries(PRESETS)) {
      assert.equal(resolveDialect(name), dialect);
    }
  });
  await t.step("a dialect object as is", () => {
    const custom: Dialect = { ...VIDEO_STATUS, name: "mine" };
    assert.equal(resolveDialect(custom), custom);
  });
  await t.step("a TypeError listing the presets for an unknown name", () => {
    for (const name of ["sora", "toString", "", "Replicate"]) {
      assert.throws(() => resolveDialect(name), {
        name: "TypeError",
        message:
          `Cannot use the dialect as 'dialect' must be one of "video-status", "heygen-translate", "heygen-video", "replicate", "google-operation", "azure-operation", "openai-video" or a dialect object: current value is ${
            JSON.stringify(name)
          }`,
      });
    }
  });
  await t.step("a TypeError for an object that is not a dialect", () => {
    assert.throws(() => resolveDialect({ name: "x" } as unknown as Dialect), {
      name: "TypeError",
      message:
        /^Cannot create the dialect as 'dialect' must have the methods jobPath\(\), jobId\(\), idOf\(\), read\(\), write\(\): current value is an object$/,
    });
    assert.throws(() => resolveDialect(null as unknown as Dialect), TypeError);
    assert.throws(
      () => resolveDialect({ ...VIDEO_STATUS, name: "" }),
      /'dialect.name' must be a non-empty string: current value is ""/,
    );
  });
});
