// Reading answers through a dialect: every preset, driven by bodies from its
// own writer, ends a wait with the right final update; unknown words end it
// at once; a dialect may take them for pending.

import assert from "node:assert/strict";
import {
  defineDialect,
  type Dialect,
  type DialectName,
  isReadProblem,
  type JobSnapshot,
  PRESETS,
  ProtocolError,
} from "../../mod.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { seededRandom } from "../../util/random.ts";
import { setup } from "./_setup.ts";

const VIDEO_URL = "https://cdn.test/j1.mp4";

/** What each preset's answers must read as (from the vendors' references, not from the dialect). */
interface Expected {
  /** The path a job's status is asked at. */
  path: string;
  /** Words of a running job, a done one, a failed one, a canceled one. */
  words: [running: string, completed: string, failed: string, canceled: string];
  /** Whether the answers carry progress. */
  progress: boolean;
  /** Whether a failed job's message is read. */
  message: boolean;
  /** The message a canceled job reads with, where the dialect writes its own reason. */
  canceledMessage?: string;
  /** Whether the payload of a completed job holds the video's URL. */
  videoInPayload: boolean;
  /** The JSON text of a running job's status in its body, and that field, to replace with an unknown word. */
  unknown: [text: string, field: string];
}

const EXPECTED: Record<DialectName, Expected> = {
  "video-status": {
    path: "/jobs/j1",
    words: ["pending", "completed", "error", "error"],
    progress: false,
    message: false,
    canceledMessage: "canceled",
    videoInPayload: false,
    unknown: ['"pending"', "result"],
  },
  "heygen-translate": {
    path: "/v2/video_translate/j1",
    words: ["running", "success", "failed", "failed"],
    progress: false,
    message: true,
    videoInPayload: true,
    unknown: ['"running"', "data.status"],
  },
  "heygen-video": {
    path: "/v1/video_status.get?video_id=j1",
    words: ["processing", "completed", "failed", "failed"],
    progress: false,
    message: true,
    videoInPayload: true,
    unknown: ['"processing"', "data.status"],
  },
  "replicate": {
    path: "/v1/predictions/j1",
    words: ["processing", "succeeded", "failed", "canceled"],
    progress: false,
    message: true,
    videoInPayload: true,
    unknown: ['"processing"', "status"],
  },
  "google-operation": {
    path: "/v1/operations/j1",
    words: ["running", "done", "failed", "cancelled"],
    progress: false,
    message: true,
    videoInPayload: true,
    unknown: ["false", "done"],
  },
  "azure-operation": {
    path: "/operations/j1",
    words: ["Running", "Succeeded", "Failed", "Canceled"],
    progress: false,
    message: true,
    videoInPayload: true,
    unknown: ['"Running"', "status"],
  },
  "openai-video": {
    path: "/v1/videos/j1",
    words: ["in_progress", "completed", "failed", "failed"],
    progress: true,
    message: true,
    videoInPayload: false,
    unknown: ['"in_progress"', "status"],
  },
};

const FINALS = ["completed", "error", "canceled"] as const;

function snapshot(
  status: JobSnapshot["status"],
  progress: number,
): JobSnapshot {
  const final = status !== "pending";
  return {
    id: "j1",
    status,
    progress: final ? 1 : progress,
    createdAt: 0,
    finishedAt: final ? 1000 : undefined,
    videoUrl: status === "completed" ? VIDEO_URL : undefined,
    errorMessage: status === "error" || status === "canceled"
      ? `the render ${status === "error" ? "failed" : "was canceled"}`
      : undefined,
  };
}

for (const [name, dialect] of Object.entries(PRESETS)) {
  const expected = EXPECTED[name as DialectName];
  Deno.test(`${name}: a wait ends with the final update its writer's bodies say`, async (t) => {
    for (const [index, final] of FINALS.entries()) {
      await t.step(final, async () => {
        const { client, requests, updates } = setup([
          json(dialect.write(snapshot("pending", 0.42))),
          json(dialect.write(snapshot(final, 1))),
        ], { dialect: name as DialectName, serverUrl: "http://api.test" });
        const update = await client.waitForJob("j1");
        assert.equal(requests[0].url, `http://api.test${expected.path}`);
        assert.equal(requests.length, 2);
        assert.equal(updates[0].result, "pending");
        assert.equal(updates[0].status, expected.words[0]);
        assert.equal(updates[0].progress, expected.progress ? 0.42 : undefined);
        assert.equal(
          update.result,
          final === "completed" ? "completed" : "error",
        );
        assert.equal(update.status, expected.words[index + 1]);
        assert.equal(
          update.error,
          final === "canceled" && expected.canceledMessage
            ? expected.canceledMessage
            : expected.message && final !== "completed"
            ? snapshot(final, 1).errorMessage
            : undefined,
        );
        assert.equal(
          JSON.stringify(update.payload ?? null).includes(VIDEO_URL),
          expected.videoInPayload && final === "completed",
        );
        assert.deepEqual(update.body, dialect.write(snapshot(final, 1)));
      });
    }
  });

  Deno.test(`${name}: an unknown status word ends the wait at once, naming the word and the field`, async () => {
    const [text, field] = expected.unknown;
    const body = JSON.stringify(dialect.write(snapshot("pending", 0.5)))
      .replace(text, '"archived"');
    const { client, requests } = setup(
      [new Response(body, { headers: { "content-type": "application/json" } })],
      { dialect: name as DialectName },
    );
    const error = await client.waitForJob("j1").catch((e) => e);
    assert.ok(error instanceof ProtocolError, String(error));
    assert.match(
      error.message,
      new RegExp(`^Unknown ${field} "archived": GET`),
    );
    assert.equal(requests.length, 1);
  });
}

Deno.test("a body without the dialect's status field is retried as unreadable", async () => {
  const { client, requests, retries } = setup([
    json({ data: {} }),
    json({ data: { status: "success", url: VIDEO_URL } }),
  ], { dialect: "heygen-translate" });
  const final = await client.waitForJob("j1");
  assert.equal(final.payload, VIDEO_URL);
  assert.equal(requests.length, 2);
  assert.ok(retries[0].error instanceof ProtocolError);
  assert.match(
    (retries[0].error as Error).message,
    /Expected a JSON object with a 'data.status'/,
  );
});

Deno.test("a dialect with unknownAsPending keeps waiting through words it does not know", async () => {
  const lenient = defineDialect({
    name: "lenient",
    jobPath: "/tasks/{id}",
    statusField: "state",
    pending: ["queued"],
    completed: ["done"],
    error: ["failed"],
    unknownAsPending: true,
  });
  const { client, updates } = setup([
    json({ state: "archiving" }),
    json({ state: "thinking" }),
    json({ state: "done" }),
  ], { dialect: lenient });
  const final = await client.waitForJob("t1");
  assert.deepEqual(updates.map((u) => [u.result, u.status]), [
    ["pending", "archiving"],
    ["pending", "thinking"],
    ["completed", "done"],
  ]);
  assert.equal(final.attempt, 3);
});

Deno.test("property: any preset, any snapshots ending final: the wait ends with the final reading, never two requests closer than minDelay", async () => {
  const names = Object.keys(PRESETS) as DialectName[];
  for (let seed = 1; seed <= 40; seed++) {
    const random = seededRandom(seed);
    const name = names[Math.floor(random() * names.length)];
    const dialect = PRESETS[name];
    const pendings = Math.floor(random() * 6);
    const snapshots = [
      ...Array.from(
        { length: pendings },
        () => snapshot("pending", Math.round(random() * 100) / 100),
      ),
      snapshot(FINALS[Math.floor(random() * FINALS.length)], 1),
    ];
    // Hints of no time at all, unreadable answers retried at once: only
    // minDelay keeps the requests apart.
    const steps = snapshots.flatMap((job) => {
      const answer = json(dialect.write(job), {
        headers: { "retry-after": "0" },
      });
      return random() < 0.3 ? [json([]), answer] : [answer];
    });
    const { client, sentAt } = setup(steps, {
      dialect: name,
      initialDelay: 0,
      maxDelay: 50,
      minDelay: 100,
      random,
      jitter: 0.5,
    });
    const final = await client.waitForJob("j1");
    const last = snapshots.at(-1) as JobSnapshot;
    const reading = dialect.read(dialect.write(last), new Headers(), 0);
    const { result, status, payload, progress, error } = final;
    assert.deepEqual(
      { result, status, payload, progress, error },
      { progress: undefined, error: undefined, ...reading },
      `seed ${seed} (${name})`,
    );
    assert.equal(sentAt.length, steps.length, `seed ${seed}`);
    for (let i = 1; i < sentAt.length; i++) {
      assert.ok(
        sentAt[i] - sentAt[i - 1] >= 100,
        `seed ${seed}: requests ${sentAt[i - 1]} and ${sentAt[i]} ms`,
      );
    }
  }
});

Deno.test("azure-operation: Retry-After on a running operation sets the next request, within maxRetryAfter", async () => {
  const running = { id: "op1", status: "Running" };
  const { client, sentAt, updates } = setup([
    json(running, { headers: { "retry-after": "7" } }),
    json(running, { headers: { "retry-after": "3600" } }),
    json({ id: "op1", status: "Succeeded", result: VIDEO_URL }),
  ], { dialect: "azure-operation", maxRetryAfter: 20_000 });
  const final = await client.waitForJob("op1");
  assert.deepEqual(sentAt, [0, 7000, 27_000]);
  assert.deepEqual(updates.map((u) => u.nextDelay), [7000, 20_000, undefined]);
  assert.equal(final.payload, VIDEO_URL);
});

Deno.test("a time hint the dialect reads in the body is used like Retry-After, within maxRetryAfter", async () => {
  const base = defineDialect({
    name: "eta",
    jobPath: "/renders/{id}",
    statusField: "state",
    pending: ["rendering"],
    completed: ["done"],
    error: ["failed"],
  });
  // An API that says how many seconds are left.
  const eta: Dialect = {
    ...base,
    read(body, headers, now) {
      const reading = base.read(body, headers, now);
      const left = (body as { seconds_left?: number }).seconds_left;
      return isReadProblem(reading) || left === undefined
        ? reading
        : { ...reading, retryAfter: left * 1000 };
    },
  };
  const { client, sentAt } = setup([
    json({ state: "rendering", seconds_left: 12 }),
    json({ state: "rendering", seconds_left: 600 }),
    json({ state: "rendering", seconds_left: 0 }),
    json({ state: "done" }),
  ], { dialect: eta, maxRetryAfter: 30_000, minDelay: 250 });
  await client.waitForJob("r1");
  assert.deepEqual(sentAt, [0, 12_000, 42_000, 42_250]);
});

Deno.test("an unknown word's ProtocolError quotes it bounded and without control characters", async () => {
  const { client } = setup([json({ result: "x\u0007".repeat(8_000) })]);
  const error = await client.waitForJob("j1").catch((e) => e);
  assert.ok(error instanceof ProtocolError, String(error));
  assert.ok(error.message.length < 400, `${error.message.length} characters`);
  assert.ok(!error.message.includes("\u0007"), "a control character");
  assert.match(error.message, /^Unknown result "x/);
});
