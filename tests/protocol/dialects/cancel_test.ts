import assert from "node:assert/strict";
import {
  cancelRoute,
  defineDialect,
  type Dialect,
  PRESETS,
  resolveDialect,
} from "../../../mod.ts";
import { seededRandom } from "../../../util/random.ts";

const SPEC = {
  name: "renders",
  jobPath: "/renders/{id}",
  statusField: "status",
  pending: ["running"],
  completed: ["done"],
  error: ["failed"],
};

Deno.test("cancelRoute() gives back any id from the path it builds, in every preset that has one", () => {
  const random = seededRandom(2);
  const alphabet = "aZ0-_.~ /?#&=%:é€";
  for (const dialect of Object.values(PRESETS)) {
    const route = cancelRoute(dialect);
    if (route === undefined) {
      assert.equal(dialect.cancelRequest, undefined);
      continue;
    }
    for (let i = 0; i < 200; i++) {
      let id = "";
      const length = 1 + Math.floor(random() * 10);
      while (id.length < length) {
        id += alphabet[Math.floor(random() * alphabet.length)];
      }
      if (id === "." || id === "..") continue;
      const url: URL = new URL(route.jobPath(id), "http://localhost");
      assert.equal(route.jobId(url), id, `${dialect.name} ${id}`);
      // A cancel path is never the status path of another id, except
      // where the router checks it first (Google's `{id}:cancel`).
      if (dialect.name !== "google-operation") {
        assert.equal(dialect.jobId(url), undefined, `${dialect.name} ${id}`);
      }
    }
  }
});

Deno.test("the presets with a cancel request are the ones whose API has one", () => {
  const cancels = Object.fromEntries(
    Object.entries(PRESETS).map((
      [name, dialect],
    ) => [name, dialect.cancelRequest]),
  );
  assert.deepEqual(cancels, {
    "video-status": {
      method: "POST",
      path: "/jobs/{id}/cancel",
      answer: "job",
    },
    "heygen-translate": undefined,
    "heygen-video": undefined,
    "replicate": {
      method: "POST",
      path: "/v1/predictions/{id}/cancel",
      answer: "job",
    },
    "google-operation": {
      method: "POST",
      path: "/v1/operations/{id}:cancel",
      answer: "empty",
    },
    "azure-operation": undefined,
    "openai-video": undefined,
  });
});

Deno.test("defineDialect() and resolveDialect() refuse a malformed cancelRequest", async (t) => {
  const cases: [unknown, RegExp][] = [
    [null, /'cancelRequest' must be an object: current value is null/],
    [
      { method: "GET", path: "/renders/{id}/cancel", answer: "job" },
      /'cancelRequest.method' must be "POST" or "DELETE": current value is "GET"/,
    ],
    [
      { method: "POST", path: "/renders/cancel", answer: "job" },
      /'cancelRequest.path' must be a path .* current value is "\/renders\/cancel"/,
    ],
    [
      { method: "DELETE", path: "/renders/{id}", answer: "body" },
      /'cancelRequest.answer' must be "job" or "empty": current value is "body"/,
    ],
  ];
  for (const [cancelRequest, message] of cases) {
    await t.step(JSON.stringify(cancelRequest), () => {
      assert.throws(
        // deno-lint-ignore no-explicit-any
        () => defineDialect({ ...SPEC, cancelRequest: cancelRequest as any }),
        { name: "TypeError", message },
      );
      const custom = {
        ...defineDialect(SPEC),
        cancelRequest,
      } as unknown as Dialect;
      assert.throws(() => resolveDialect(custom), {
        name: "TypeError",
        message,
      });
    });
  }
});

Deno.test("defineDialect() keeps its own copy of the cancelRequest", () => {
  const cancelRequest = {
    method: "DELETE" as const,
    path: "/renders/{id}",
    answer: "empty" as const,
  };
  const dialect = defineDialect({ ...SPEC, cancelRequest });
  cancelRequest.path = "/other/{id}";
  assert.equal(cancelRoute(dialect)!.jobPath("r1"), "/renders/r1");
});
