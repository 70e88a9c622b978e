import assert from "node:assert/strict";
import { parseRetryAfter } from "../../protocol/retry_after.ts";

Deno.test("parseRetryAfter() reads delta-seconds and HTTP-dates", () => {
  const now = Date.UTC(2026, 10, 24, 8, 0, 0);
  assert.equal(parseRetryAfter("0", now), 0);
  assert.equal(parseRetryAfter(" 120 ", now), 120_000);
  assert.equal(parseRetryAfter("Tue, 24 Nov 2026 08:00:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter("Tue, 24 Nov 2026 07:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter(null, now), undefined);
  for (const bad of ["", "-1", "1.5", "soon", "2026-11-24", "1e3", "Tue"]) {
    assert.equal(parseRetryAfter(bad, now), undefined, bad);
  }
});
