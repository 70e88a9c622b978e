import assert from "node:assert/strict";
import {
  firstLine,
  joinNegativeValues,
  parseNumberFlag,
} from "../../simulator/cli_args.ts";
import { NUMBER_RULES } from "../../simulator/options.ts";

Deno.test("joinNegativeValues() keeps negative numbers with their flags", () => {
  assert.deepEqual(
    joinNegativeValues(
      ["--seed", "-5", "--legacy", "--rate", "-.5", "-h", "--seed", "x"],
      ["seed", "rate"],
    ),
    ["--seed=-5", "--legacy", "--rate=-.5", "-h", "--seed", "x"],
  );
  assert.deepEqual(joinNegativeValues(["--legacy", "-5"], ["seed"]), [
    "--legacy",
    "-5",
  ]);
});

Deno.test("parseNumberFlag() reads decimals only and names the flag", () => {
  const rule = NUMBER_RULES.errorRate!;
  assert.equal(parseNumberFlag(" 0.25 ", "--error-rate", rule, "run"), 0.25);
  for (const bad of ["0x1", "", "Infinity", "1/2", "2"]) {
    assert.throws(
      () => parseNumberFlag(bad, "--error-rate", rule, "run"),
      /^Error: Cannot run as '--error-rate' must be a number from 0 to 1/,
      bad,
    );
  }
});

Deno.test("firstLine() keeps the first sentence of a multi-line message", () => {
  assert.equal(
    firstLine("Option '--seed' argument is ambiguous.\nDid you forget"),
    "Option '--seed' argument is ambiguous",
  );
});
