import assert from "node:assert/strict";
import { authHeaderValue, isReadProblem } from "../../protocol/dialect.ts";

Deno.test("isReadProblem() tells a problem from a reading", () => {
  assert.equal(
    isReadProblem({ result: "pending", status: "queued", payload: null }),
    false,
  );
  assert.equal(
    isReadProblem({
      problem: "missing",
      field: "status",
      message: "Expected a JSON object with a 'status'",
    }),
    true,
  );
});

Deno.test("authHeaderValue() puts the scheme before the key when there is one", () => {
  assert.equal(
    authHeaderValue({ name: "authorization", scheme: "Bearer" }, "r8_k"),
    "Bearer r8_k",
  );
  assert.equal(authHeaderValue({ name: "x-api-key" }, "k"), "k");
});
