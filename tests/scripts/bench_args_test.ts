import assert from "node:assert/strict";
import { BENCH_HELP, parseBenchArgs } from "../../scripts/_bench_args.ts";
import { STRATEGIES } from "../../scripts/_strategies.ts";
import { WORKLOADS } from "../../scripts/_workload.ts";

function parse(...args: string[]) {
  const parsed = parseBenchArgs(args);
  assert.notEqual(parsed, "help");
  return parsed as Exclude<typeof parsed, "help">;
}

Deno.test("parseBenchArgs() defaults to the lognormal workload's full size at time scale 0.05", () => {
  const parsed = parse();
  assert.equal(parsed.named.name, "lognormal");
  assert.equal(parsed.count, 1000);
  assert.equal(parsed.quick, false);
  assert.equal(parsed.timeScale, 0.05);
  assert.equal(parsed.seed, 1);
  assert.equal(parsed.dialect, "video-status");
  assert.equal(parsed.receiverHmac, "webcrypto");
  assert.deepEqual(parsed.chosen, STRATEGIES);
  assert.equal(parsed.json, undefined);
  assert.equal(parsed.plot, undefined);
});

Deno.test("parseBenchArgs() takes every named workload, at its own full and --quick sizes", () => {
  for (const named of WORKLOADS) {
    assert.equal(parse("--workload", named.name).named, named);
    assert.equal(parse("--workload", named.name).count, named.count.full);
    assert.equal(
      parse("--quick", "--workload", named.name).count,
      named.count.quick,
    );
    assert.equal(parse("--workload", named.name, "--jobs", "7").count, 7);
  }
});

Deno.test("parseBenchArgs() reads the other flags", () => {
  const parsed = parse(
    "--time-scale",
    "0.1",
    "--seed",
    "4",
    "--dialect",
    "replicate",
    "--receiver-hmac",
    "node",
    "--strategies",
    "learned-target,seed-backoff",
    "--json",
    "out.json",
    "--plot",
    "out.svg",
  );
  assert.equal(parsed.timeScale, 0.1);
  assert.equal(parsed.seed, 4);
  assert.equal(parsed.dialect, "replicate");
  assert.equal(parsed.receiverHmac, "node");
  assert.deepEqual(parsed.chosen.map((strategy) => strategy.id), [
    "learned-target",
    "seed-backoff",
  ]);
  assert.equal(parsed.json, "out.json");
  assert.equal(parsed.plot, "out.svg");
  assert.equal(parseBenchArgs(["-h"]), "help");
});

Deno.test("parseBenchArgs() names the flag and the value it refuses", async (t) => {
  const cases: [string[], RegExp][] = [
    [
      ["--workload", "bimodal"],
      /'--workload' must be one of lognormal, .*batch: current value is bimodal/,
    ],
    [
      ["--jobs", "0"],
      /'--jobs' must be a positive integer: current value is 0/,
    ],
    [
      ["--time-scale", "-1"],
      /'--time-scale' must be a positive number: current value is -1/,
    ],
    [["--dialect", "x"], /'--dialect' must be one of .*: current value is x/],
    [
      ["--receiver-hmac", "sha1"],
      /'--receiver-hmac' must be one of webcrypto, node: current value is sha1/,
    ],
    [
      ["--strategies", "fixed-1s"],
      /'--strategies' must list ids from .*: current value is fixed-1s/,
    ],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), () => {
      assert.throws(() => parseBenchArgs(args), {
        name: "RangeError",
        message,
      });
    });
  }
  assert.throws(() => parseBenchArgs(["--nope"]), TypeError);
});

Deno.test("the benchmark's help lists every workload and strategy and says how time is scaled", () => {
  for (const named of WORKLOADS) {
    assert.ok(BENCH_HELP.includes(`${named.name}: ${named.text}`), named.name);
  }
  for (const strategy of STRATEGIES) {
    assert.ok(BENCH_HELP.includes(strategy.id), strategy.id);
  }
  assert.match(BENCH_HELP, /found\s+is\s+unscaled/);
  assert.match(BENCH_HELP, /shown\s+as\s+measured/);
  assert.match(BENCH_HELP, /real setTimeout/);
});
