import assert from "node:assert/strict";
import { formatCount, formatDuration, printable } from "../../util/format.ts";
import { seededRandom } from "../../util/random.ts";

Deno.test("formatDuration() rounds to the unit a person reads", () => {
  const cases: [number, string][] = [
    [0, "0 ms"],
    [0.4, "0 ms"],
    [250, "250 ms"],
    [999.4, "999 ms"],
    [999.6, "1 s"],
    [1000, "1 s"],
    [1234.5678901, "1.2 s"],
    [1500, "1.5 s"],
    [59_940, "59.9 s"],
    [59_960, "1 min"],
    [90_000, "1 min 30 s"],
    [3_599_400, "59 min 59 s"],
    [3_599_600, "1 h"],
    [3_900_000, "1 h 5 min"],
    [-1500, "-1.5 s"],
    [Infinity, "Infinity ms"],
    [NaN, "NaN ms"],
  ];
  for (const [ms, text] of cases) {
    assert.equal(formatDuration(ms), text, `${ms}`);
  }
});

Deno.test("formatDuration() never shows more than one decimal, for any duration", () => {
  const random = seededRandom(4);
  for (let run = 0; run < 1000; run++) {
    const ms = random() * 10 ** (random() * 8);
    assert.match(
      formatDuration(ms),
      /^\d+(\.\d)? (ms|s|min|h)( \d+ (s|min))?$/,
    );
  }
});

Deno.test("formatCount() is singular for exactly one", () => {
  assert.equal(formatCount(0, "request"), "0 requests");
  assert.equal(formatCount(1, "request"), "1 request");
  assert.equal(formatCount(2, "failure"), "2 failures");
  assert.equal(formatCount(1, "byte"), "1 byte");
  assert.equal(formatCount(5, "child", "children"), "5 children");
});

Deno.test("printable() removes control and reordering characters and never cuts a character", () => {
  assert.equal(printable("a\u0000b\u007f\u009bc\u202ed\u2067e"), "a b c d e");
  assert.equal(printable("  two\n\nlines\t "), "two lines");
  assert.equal(printable("😀".repeat(10), 5), "😀😀...");
  assert.equal(printable("short", 5), "short");
});
