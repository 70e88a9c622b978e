import assert from "node:assert/strict";
import {
  defineDialect,
  type DialectSpec,
} from "../../../protocol/dialects/define.ts";
import type { JobSnapshot } from "../../../protocol/dialect.ts";

const SPEC: DialectSpec = {
  name: "renders",
  jobPath: "/renders/{id}",
  statusField: "data.status",
  pending: ["queued", "rendering"],
  completed: ["done"],
  error: ["failed"],
  canceled: ["cancelled"],
  progressField: "data.percent",
  progressScale: 100,
  errorField: "data.reason",
  payloadField: "data.url",
  idField: "data.id",
};
const HEADERS = new Headers();

function job(patch: Partial<JobSnapshot>): JobSnapshot {
  return { id: "r1", status: "pending", progress: 0, createdAt: 0, ...patch };
}

Deno.test("defineDialect() reads each list of words as its result, the word kept", () => {
  const dialect = defineDialect(SPEC);
  const cases = [
    ["queued", "pending"],
    ["rendering", "pending"],
    ["done", "completed"],
    ["failed", "error"],
    ["cancelled", "error"],
  ] as const;
  for (const [word, result] of cases) {
    const reading = dialect.read({ data: { status: word } }, HEADERS, 0);
    assert.deepEqual(reading, { result, status: word, payload: null }, word);
  }
});

Deno.test("defineDialect() reads progress, error message and payload at their paths", async (t) => {
  const dialect = defineDialect(SPEC);
  await t.step("progress as a fraction of the scale, clamped to 0–1", () => {
    const read = (percent: unknown) =>
      dialect.read(
        { data: { status: "rendering", percent } },
        HEADERS,
        0,
      );
    assert.deepEqual(read(40), {
      result: "pending",
      status: "rendering",
      progress: 0.4,
      payload: null,
    });
    assert.equal((read(250) as { progress?: number }).progress, 1);
    assert.equal((read(-5) as { progress?: number }).progress, 0);
    assert.equal("progress" in read("40"), false);
    assert.equal("progress" in read(Number.NaN), false);
  });
  await t.step("the error message only when the job failed", () => {
    const failed = { data: { status: "failed", reason: "Out of credits" } };
    assert.equal(
      (dialect.read(failed, HEADERS, 0) as { error?: string }).error,
      "Out of credits",
    );
    const stale = { data: { status: "rendering", reason: "old" } };
    assert.equal("error" in dialect.read(stale, HEADERS, 0), false);
    const empty = { data: { status: "failed", reason: "" } };
    assert.equal("error" in dialect.read(empty, HEADERS, 0), false);
  });
  await t.step("the payload, or the whole body when no field is named", () => {
    const body = { data: { status: "done", url: "https://x/v.mp4" } };
    assert.equal(
      (dialect.read(body, HEADERS, 0) as { payload: unknown }).payload,
      "https://x/v.mp4",
    );
    const plain = defineDialect({ ...SPEC, payloadField: undefined });
    assert.equal(
      (plain.read(body, HEADERS, 0) as { payload: unknown }).payload,
      body,
    );
  });
  await t.step("the id", () => {
    assert.equal(dialect.idOf({ data: { id: "r9" } }), "r9");
    assert.equal(dialect.idOf({ data: { id: 9 } }), undefined);
    assert.equal(
      defineDialect({ ...SPEC, idField: undefined }).idOf({}),
      undefined,
    );
  });
});

Deno.test("defineDialect() names the field of a missing status and the word of an unknown one", () => {
  const dialect = defineDialect(SPEC);
  for (
    const body of [null, "done", [], {}, { data: null }, {
      data: { status: null },
    }]
  ) {
    assert.deepEqual(dialect.read(body, HEADERS, 0), {
      problem: "missing",
      field: "data.status",
      message: "Expected a JSON object with a 'data.status'",
    });
  }
  assert.deepEqual(dialect.read({ data: { status: "archived" } }, HEADERS, 0), {
    problem: "unknown",
    field: "data.status",
    value: "archived",
    message: 'Unknown data.status "archived"',
  });
  // An own field only: a word on the prototype chain is no answer.
  assert.equal(
    (dialect.read({ data: Object.create({ status: "done" }) }, HEADERS, 0) as {
      problem?: string;
    }).problem,
    "missing",
  );
});

Deno.test("defineDialect() reads an unknown word as pending when asked, and numbers as words", () => {
  const lenient = defineDialect({ ...SPEC, unknownAsPending: true });
  assert.deepEqual(lenient.read({ data: { status: "archived" } }, HEADERS, 0), {
    result: "pending",
    status: "archived",
    payload: null,
  });
  const coded = defineDialect({
    ...SPEC,
    pending: ["1"],
    completed: ["2"],
    error: ["3"],
    canceled: ["4"],
  });
  assert.deepEqual(coded.read({ data: { status: 2 } }, HEADERS, 0), {
    result: "completed",
    status: "2",
    payload: null,
  });
});

Deno.test("defineDialect() writes the vendor's words and fields into its shape", async (t) => {
  const dialect = defineDialect({
    ...SPEC,
    shape: () => ({ code: 0, data: { url: null, reason: null } }),
  });
  await t.step(
    "the first pending word before work starts, the last after",
    () => {
      assert.deepEqual(dialect.write(job({})), {
        code: 0,
        data: {
          id: "r1",
          status: "queued",
          percent: 0,
          url: null,
          reason: null,
        },
      });
      assert.equal(
        (dialect.write(job({ progress: 0.426 })).data as { percent: number })
          .percent,
        43,
      );
      assert.equal(
        (dialect.write(job({ progress: 0.4 })).data as { status: string })
          .status,
        "rendering",
      );
    },
  );
  await t.step(
    "the payload only when completed, the message only when it ended badly",
    () => {
      const completed = dialect.write(
        job({ status: "completed", progress: 1, videoUrl: "https://x/v.mp4" }),
      );
      assert.deepEqual(completed.data, {
        id: "r1",
        status: "done",
        percent: 100,
        url: "https://x/v.mp4",
        reason: null,
      });
      const failed = dialect.write(
        job({ status: "error", errorMessage: "boom", videoUrl: "https://x/v" }),
      );
      assert.deepEqual(failed.data, {
        id: "r1",
        status: "failed",
        percent: 0,
        url: null,
        reason: "boom",
      });
    },
  );
  await t.step("canceled as the canceled word, or the first error word", () => {
    const canceled = job({ status: "canceled", errorMessage: "by user" });
    assert.equal(
      (dialect.write(canceled).data as { status: string }).status,
      "cancelled",
    );
    const without = defineDialect({ ...SPEC, canceled: undefined });
    assert.equal(
      (without.write(canceled).data as { status: string }).status,
      "failed",
    );
  });
  await t.step("a fraction as is with the default scale", () => {
    const fraction = defineDialect({ ...SPEC, progressScale: undefined });
    assert.equal(
      (fraction.write(job({ progress: 0.426 })).data as { percent: number })
        .percent,
      0.426,
    );
  });
});

Deno.test("defineDialect() carries the route and the request fields", () => {
  const dialect = defineDialect({
    ...SPEC,
    createPath: "/renders",
    locationHeader: "operation-location",
    preferWait: true,
    authHeader: { name: "x-api-key" },
  });
  assert.equal(dialect.name, "renders");
  assert.equal(dialect.jobPath("a/b"), "/renders/a%2Fb");
  assert.equal(dialect.jobId(new URL("http://h/renders/a%2Fb")), "a/b");
  assert.equal(dialect.createPath, "/renders");
  assert.equal(dialect.locationHeader, "operation-location");
  assert.equal(dialect.preferWait, true);
  assert.deepEqual(dialect.authHeader, { name: "x-api-key" });
});

Deno.test("defineDialect() rejects malformed fields with the option's name", () => {
  const cases: [Partial<DialectSpec>, RegExp][] = [
    [{ name: "" }, /'name' must be a non-empty string: current value is ""/],
    [
      { jobPath: "/renders" },
      /'jobPath' must be a path starting with "\/" with \{id\} exactly once: current value is "\/renders"/,
    ],
    [{ jobPath: "renders/{id}" }, /'jobPath'/],
    [
      { statusField: "data..status" },
      /'statusField' must be a field path such as "data.status": current value is "data..status"/,
    ],
    [{ progressField: "" }, /'progressField' must be a field path/],
    [
      { completed: [] },
      /'completed' must be a non-empty array of words: current value is an array/,
    ],
    [{ error: ["failed", ""] }, /'error' must be a non-empty array of words/],
    [
      { canceled: "cancelled" as unknown as string[] },
      /'canceled' must be an array of words: current value is "cancelled"/,
    ],
    [
      { error: ["done"] },
      /'error' must not repeat a word of its own or another list: current value is "done"/,
    ],
  ];
  cases.push([
    { pending: ["queued", "queued"] },
    /'pending' must not repeat a word of its own or another list: current value is "queued"/,
  ]);
  for (const [patch, message] of cases) {
    assert.throws(() => defineDialect({ ...SPEC, ...patch }), {
      name: "TypeError",
      message,
    });
  }
  for (const progressScale of [0, -1, Number.POSITIVE_INFINITY]) {
    assert.throws(() => defineDialect({ ...SPEC, progressScale }), {
      name: "RangeError",
      message: new RegExp(
        `Cannot create the dialect "renders" as 'progressScale' must be a positive finite number: current value is ${progressScale}`,
      ),
    });
  }
});

Deno.test("defineDialect() steps into arrays by index when reading", () => {
  const samples = defineDialect({
    ...SPEC,
    statusField: "state",
    pending: ["RUNNING"],
    completed: ["DONE"],
    error: ["FAILED"],
    canceled: [],
    payloadField: "response.samples.0.video.uri",
  });
  const body = {
    state: "DONE",
    response: { samples: [{ video: { uri: "gs://b/v.mp4" } }] },
  };
  assert.equal(
    (samples.read(body, HEADERS, 0) as { payload: unknown }).payload,
    "gs://b/v.mp4",
  );
  const empty = { state: "DONE", response: { samples: [] } };
  assert.equal(
    (samples.read(empty, HEADERS, 0) as { payload: unknown }).payload,
    null,
  );
  // A key that is not a number is no step into an array.
  const named = defineDialect({ ...SPEC, statusField: "list.length" });
  assert.equal(
    (named.read({ list: [1, 2] }, HEADERS, 0) as { problem?: string }).problem,
    "missing",
  );
});

Deno.test("defineDialect() keeps the spec as it was when defined", () => {
  const spec = { ...SPEC, pending: ["queued", "rendering"] };
  const dialect = defineDialect(spec);
  spec.pending.push("paused");
  spec.progressField = "data.other";
  assert.equal(
    (dialect.write(job({ progress: 0.5 })).data as { status: string }).status,
    "rendering",
  );
  assert.equal(
    (dialect.read(
      { data: { status: "rendering", percent: 50 } },
      HEADERS,
      0,
    ) as {
      progress?: number;
    }).progress,
    0.5,
  );
});
