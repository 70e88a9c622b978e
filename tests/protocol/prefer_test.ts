import assert from "node:assert/strict";
import { parsePreferWait } from "../../protocol/prefer.ts";
import { seededRandom } from "../../util/random.ts";

Deno.test("parsePreferWait() reads a wait of any number of digits, for the server to cap", () => {
  assert.equal(parsePreferWait("wait=10"), 10_000);
  assert.equal(parsePreferWait("wait=99999999999"), 99_999_999_999_000);
  assert.equal(parsePreferWait(`wait=${"9".repeat(400)}`), Infinity);
  for (const bad of ["wait=", "wait=-1", "wait=1.5", "wait=1e3", "wait=soon"]) {
    assert.equal(parsePreferWait(bad), undefined, bad);
  }
});

Deno.test("parsePreferWait() reads every digit string as its seconds (seeded)", () => {
  const random = seededRandom(10);
  for (let i = 0; i < 1_000; i++) {
    const digits = Array.from(
      { length: 1 + Math.floor(random() * 30) },
      () => String(Math.floor(random() * 10)),
    ).join("");
    assert.equal(parsePreferWait(`wait=${digits}`), Number(digits) * 1_000);
  }
});
