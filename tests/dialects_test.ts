// The proof of issue 11: for every preset dialect, the client waits on the
// simulator speaking that dialect and ends as scripted (completed, error,
// canceled), reads progress where the vendor gives it, returns the payload,
// and fails at once with a 401 without the key. In-process on a FakeClock,
// plus one run over a real socket.

import assert from "node:assert/strict";
import {
  type DialectName,
  type FinalUpdate,
  HTTPError,
  type Job,
  PRESETS,
  type StatusUpdate,
  VideoStatusClient,
} from "../mod.ts";
import { createSimulator, serve, type Simulator } from "../server.ts";
import { FakeClock } from "../testing/mod.ts";
import { authHeaderValue } from "../protocol/dialect.ts";

const BASE = "http://sim.test";
const KEY = "sk-proof-0123456789";

/** The vendor's own words for a completed, a failed and a canceled job. */
const WORDS: Readonly<Record<DialectName, readonly [string, string, string]>> =
  {
    "video-status": ["completed", "error", "error"],
    "heygen-translate": ["success", "failed", "failed"],
    "heygen-video": ["completed", "failed", "failed"],
    "replicate": ["succeeded", "failed", "canceled"],
    "google-operation": ["done", "failed", "cancelled"],
    "azure-operation": ["Succeeded", "Failed", "Canceled"],
    "openai-video": ["completed", "failed", "failed"],
  };

/** The presets whose answers carry the video's URL (OpenAI serves it apart). */
const CARRIES_URL = new Set<DialectName>([
  "heygen-translate",
  "heygen-video",
  "replicate",
  "google-operation",
  "azure-operation",
]);

/** The presets whose answers say how far a job is. */
const HAS_PROGRESS = new Set<DialectName>(["openai-video"]);

/** The presets whose answers tell an error message. */
const HAS_ERROR_TEXT = new Set<DialectName>(
  (Object.keys(PRESETS) as DialectName[]).filter((name) =>
    name !== "video-status"
  ),
);

interface Setup {
  readonly simulator: Simulator;
  readonly client: VideoStatusClient;
  readonly requests: string[];
  /** A job created with the simulator's scripted `POST /jobs`. */
  post(seconds: number, outcome: string): Promise<Job>;
}

function setup(name: DialectName, apiKey?: string): Setup {
  const clock = new FakeClock({ start: Date.UTC(2026, 0, 1) });
  const dialect = PRESETS[name];
  const keyed = dialect.authHeader !== undefined;
  const simulator = createSimulator({
    dialect: name,
    apiKey: keyed ? KEY : undefined,
    clock,
    seed: 11,
  });
  const requests: string[] = [];
  const client = new VideoStatusClient({
    serverUrl: BASE,
    dialect: name,
    apiKey: keyed ? apiKey : undefined,
    clock,
    // Polling, so that the updates before the final one (and their
    // progress) are seen; the socket run below long-polls the create.
    strategy: "poll",
    initialDelay: 500,
    fetch: (input, init) => {
      const request = new Request(input, init);
      requests.push(`${request.method} ${request.url}`);
      return simulator.fetch(request);
    },
  });
  const post = async (seconds: number, outcome: string): Promise<Job> => {
    const headers: Record<string, string> = {};
    if (dialect.authHeader !== undefined) {
      headers[dialect.authHeader.name] = authHeaderValue(
        dialect.authHeader,
        KEY,
      );
    }
    const response = await simulator.fetch(
      new Request(`${BASE}/jobs`, {
        method: "POST",
        headers,
        body: JSON.stringify({ duration: seconds, outcome }),
      }),
    );
    assert.equal(response.status, 201);
    const location = response.headers.get(
      dialect.locationHeader ?? "location",
    );
    assert.equal(location, response.headers.get("location"));
    await response.body?.cancel();
    const url = new URL(location!, BASE);
    const id = dialect.jobId(url);
    assert.ok(id !== undefined, `${name}: Location ${location} names a job`);
    return { id, url: url.href, result: "pending", createdAt: clock.now() };
  };
  return { simulator, client, requests, post };
}

/** Creates a job the way the dialect allows: the client's, or the script's. */
function create(
  name: DialectName,
  { client, post }: Setup,
  seconds: number,
  outcome: "completed" | "error",
): Promise<Job> {
  return PRESETS[name].createPath === undefined
    ? post(seconds, outcome)
    : client.createJob({ duration: seconds * 1_000, outcome });
}

async function wait(
  client: VideoStatusClient,
  job: Job,
): Promise<{ final: FinalUpdate; updates: StatusUpdate[] }> {
  const updates: StatusUpdate[] = [];
  const final = await client.waitForJob(job, {
    timeout: 600_000,
    onUpdate: (update) => updates.push(update),
  });
  return { final, updates };
}

for (const name of Object.keys(PRESETS) as DialectName[]) {
  const [completedWord, errorWord, canceledWord] = WORDS[name];

  Deno.test(`dialect ${name}: the client ends completed as scripted, with the payload`, async () => {
    const context = setup(name, KEY);
    await using _ = context.simulator;
    const job = await create(name, context, 20, "completed");
    const { final, updates } = await wait(context.client, job);
    assert.equal(final.result, "completed");
    assert.equal(final.status, completedWord);
    assert.equal(final.error, undefined);
    const videoUrl = `https://cdn.video-status.test/${job.id}.mp4`;
    if (CARRIES_URL.has(name)) {
      assert.ok(
        JSON.stringify(final.payload).includes(videoUrl),
        `${name}: payload ${JSON.stringify(final.payload)}`,
      );
    } else assert.deepEqual(final.payload, final.body);
    // Replicate holds the create (`Prefer: wait`) until the job has ended.
    const seen = PRESETS[name].preferWait ? 1 : 2;
    assert.ok(updates.length >= seen, `${name}: ${updates.length} updates`);
    if (PRESETS[name].preferWait) {
      assert.equal(job.final?.status, completedWord);
    }
    const progress = updates.map((update) => update.progress);
    if (HAS_PROGRESS.has(name)) {
      assert.ok(
        progress.some((value) => value !== undefined && value > 0 && value < 1),
        `${name}: progress ${progress}`,
      );
      assert.equal(final.progress, 1);
    } else assert.deepEqual(progress.filter((p) => p !== undefined), []);
  });

  Deno.test(`dialect ${name}: the client ends error as scripted, with the message`, async () => {
    const context = setup(name, KEY);
    await using _ = context.simulator;
    const job = await create(name, context, 5, "error");
    const { final } = await wait(context.client, job);
    assert.equal(final.result, "error");
    assert.equal(final.status, errorWord);
    if (HAS_ERROR_TEXT.has(name)) assert.match(final.error ?? "", /failure/);
  });

  Deno.test(`dialect ${name}: a canceled job is final as error, the vendor's word kept`, async () => {
    const context = setup(name, KEY);
    await using _ = context.simulator;
    const job = await context.post(5, "canceled");
    const { final } = await wait(context.client, job);
    assert.equal(final.result, "error");
    assert.equal(final.status, canceledWord);
    if (HAS_ERROR_TEXT.has(name)) {
      assert.match(final.error ?? "", /cancel/i);
    }
  });

  if (PRESETS[name].authHeader === undefined) continue;

  Deno.test(`dialect ${name}: without the key the client fails at once with HTTPError 401`, async () => {
    for (const apiKey of [undefined, "sk-wrong-key-42"]) {
      const context = setup(name, apiKey);
      await using _ = context.simulator;
      const job = await context.post(5, "completed");
      context.requests.length = 0;
      const error = await context.client.waitForJob(job).then(
        () => assert.fail("the wait must fail"),
        (error: unknown) => error,
      );
      assert.ok(error instanceof HTTPError, String(error));
      assert.equal(error.status, 401);
      assert.equal(context.requests.length, 1, context.requests.join("\n"));
      assert.match(error.message, new RegExp(PRESETS[name].authHeader!.name));
      for (const secret of [KEY, apiKey ?? KEY]) {
        assert.ok(!error.message.includes(secret), error.message);
        assert.ok(!JSON.stringify(error).includes(secret));
      }
    }
  });
}

Deno.test("dialect replicate over a socket: Prefer: wait holds the create until the job ends", async () => {
  await using server = await serve({
    port: 0,
    dialect: "replicate",
    apiKey: KEY,
  });
  const client = new VideoStatusClient({
    serverUrl: server.url,
    dialect: "replicate",
    apiKey: KEY,
  });
  const job = await client.createJob({ duration: 300, outcome: "completed" });
  assert.equal(job.final?.result, "completed");
  assert.equal(job.final?.status, "succeeded");
  assert.match(String(job.final?.payload), /\.mp4$/);
  const final = await client.waitForJob(job);
  assert.equal(final.status, "succeeded");

  const stranger = new VideoStatusClient({
    serverUrl: server.url,
    dialect: "replicate",
  });
  await assert.rejects(stranger.waitForJob(job.id), (error: unknown) => {
    assert.ok(error instanceof HTTPError);
    assert.equal(error.status, 401);
    return true;
  });
});
