import assert from "node:assert/strict";
import { main } from "../../simulator/cli.ts";
import { connect, readToEnd } from "./_raw_http.ts";
import { verifyWebhook } from "../../protocol/webhook_signature.ts";

const SERVER = new URL("../../server.ts", import.meta.url).pathname;

/** Runs the CLI in a child process. */
function spawn(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", SERVER, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads the child's stdout until the first line, then keeps collecting. */
async function firstLine(
  child: Deno.ChildProcess,
): Promise<{ line: string; rest: Promise<string> }> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  try {
    while (!text.includes("\n")) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    clearTimeout(timer);
  }
  const [line = "", ...after] = text.split("\n");
  const rest = (async () => {
    let more = after.join("\n");
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return more;
      more += value;
    }
  })();
  return { line, rest };
}

/**
 * Starts the CLI with `args` and reads its URL; `stop()` sends SIGTERM and
 * resolves with the exit code.
 */
async function serveCli(
  args: string[],
): Promise<{ url: string; stop(): Promise<number> }> {
  const child = spawn(args);
  const { line, rest } = await firstLine(child);
  return {
    url: line.replace("Listening on ", ""),
    async stop() {
      child.kill("SIGTERM");
      const [status] = await Promise.all([
        child.status,
        rest,
        child.stderr.cancel(),
      ]);
      return status.code;
    },
  };
}

/** Runs `main()` in-process, capturing what it prints. */
async function runMain(
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const { log, error } = console;
  let out = "";
  let err = "";
  console.log = (...data: unknown[]) => out += data.join(" ") + "\n";
  console.error = (...data: unknown[]) => err += data.join(" ") + "\n";
  try {
    return { code: await main(args), out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`the CLI prints one Listening line, serves, and exits 0 on ${signal}`, async () => {
    const child = spawn([
      "--port",
      "0",
      "--seed",
      "1",
      "--min-duration",
      "0",
      "--max-duration",
      "0",
      "--error-rate",
      "0",
    ]);
    const { line, rest } = await firstLine(child);
    const match = /^Listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
    assert.ok(match, line);
    assert.notEqual(match[2], "0");
    const response = await fetch(`${match[1]}/status`);
    assert.deepEqual(await response.json(), { result: "completed" });
    child.kill(signal);
    const [status, more, errors] = await Promise.all([
      child.status,
      rest,
      new Response(child.stderr).text(),
    ]);
    assert.equal(status.code, 0, errors);
    assert.equal(more, "");
  });
}

Deno.test("the CLI exits 2 naming a bad flag", async () => {
  const child = spawn(["--error-rate", "2"]);
  const [status, out, err] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  assert.equal(status.code, 2);
  assert.equal(out, "");
  assert.equal(
    err,
    "Cannot start the simulator as '--error-rate' must be a number from 0 to 1: current value is 2\n",
  );
});

Deno.test("the CLI exits 1 when the port is taken", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { code, out, err } = await runMain([
    "--port",
    String(listener.addr.port),
  ]);
  assert.equal(code, 1);
  assert.equal(out, "");
  assert.match(
    err,
    new RegExp(
      `^Cannot start the simulator on 127\\.0\\.0\\.1:${listener.addr.port}: .+\\n$`,
    ),
  );
});

Deno.test("--help lists every flag with its default and exits 0", async () => {
  const { code, out, err } = await runMain(["--help"]);
  assert.equal(code, 0);
  assert.equal(err, "");
  for (
    const flag of [
      "--port N",
      "--hostname HOST",
      "--min-duration SECONDS",
      "--max-duration SECONDS",
      "--error-rate P",
      "--seed N",
      "--max-jobs N",
      "--max-wait SECONDS",
      "--fault-rate P",
      "--latency MIN..MAX",
      "--reset-rate P",
      "--rate-limit N",
      "--legacy",
      "--dialect NAME",
      "--api-key KEY",
      "--header-timeout SECONDS",
      "--idle-timeout SECONDS",
      "--max-connections N",
      "--shutdown-grace SECONDS",
      "--webhook-secret SECRET",
      "--webhook-drop-rate P",
      "--webhook-duplicate-rate P",
      "--webhook-delay MIN..MAX",
      "--webhook-allow-host HOST",
      "--help",
    ]
  ) assert.ok(out.includes(flag), flag);
  assert.match(out, /^Usage: deno run --allow-net server\.ts \[options\]/);
  for (
    const fact of [
      "(default: 5000)",
      "(default: 127.0.0.1)",
      "(default: 2)",
      "(default: 5)",
      "(default: 0.1)",
      "(default: 10000)",
      "(default: 30)",
      "(default: 0..0)",
      "(default: unlimited)",
      "(default: 12000)",
    ]
  ) {
    assert.ok(out.includes(fact), fact);
  }
});

Deno.test("every bad flag value exits 2 with one line naming the flag", async (t) => {
  const cases: [string[], string][] = [
    [
      ["--port", "abc"],
      "'--port' must be an integer from 0 to 65535: current value is \"abc\"",
    ],
    [["--port", "65536"], "'--port'"],
    [["--port", "0x10"], "'--port'"],
    [["--hostname", ""], "'--hostname' must not be empty"],
    [["--dialect", "sora"], "'--dialect' must be one of video-status, "],
    [["--api-key", "k1"], "'--api-key' needs a dialect with an auth header"],
    [
      ["--dialect", "replicate", "--api-key", "k 1"],
      "'--api-key' must be a non-empty string of visible ASCII characters: current value is a string with other characters (not shown)",
    ],
    [
      ["--min-duration=-1"],
      "'--min-duration' must be a number of seconds from 0 to 86400",
    ],
    [["--max-duration", "Infinity"], "'--max-duration'"],
    [
      ["--max-duration=-1"],
      "Cannot start the simulator as '--max-duration' must be a number of seconds from 0 to 86400: current value is -1",
    ],
    [
      ["--min-duration", "5", "--max-duration", "2"],
      "'--min-duration' must not exceed '--max-duration': current values are 5 and 2",
    ],
    [["--error-rate", "-0.1"], "'--error-rate' must be a number from 0 to 1"],
    [
      ["--seed", "-5", "--port", "-1"],
      "'--port' must be an integer from 0 to 65535",
    ],
    [["--error-rate=-0.1"], "'--error-rate' must be a number from 0 to 1"],
    [["--seed", "1.5"], "'--seed' must be an integer"],
    [["--max-jobs", "0"], "'--max-jobs' must be an integer from 1 to 1000000"],
    [["--max-wait", "3601"], "'--max-wait'"],
    [
      ["--max-wait", "1.5"],
      "'--max-wait' must be an integer number of seconds from 0 to 3600: current value is 1.5",
    ],
    [
      ["--min-duration", "6"],
      "'--min-duration' must not exceed '--max-duration': current values are 6 and 5",
    ],
    [["--fault-rate", "1.5"], "'--fault-rate'"],
    // The flags of 0.1 name their new spelling.
    [["--min-delay", "1"], "'--min-delay' is now '--min-duration'"],
    [["--max-delay=1"], "'--max-delay' is now '--max-duration'"],
    [
      ["--latency", "10-20"],
      "'--latency' must be MIN..MAX or N in milliseconds",
    ],
    [
      ["--latency", "30..20"],
      "'--latency MIN' must not exceed '--latency MAX'",
    ],
    [["--latency", "0..60001"], "'--latency'"],
    [["--reset-rate", "x"], "'--reset-rate'"],
    [["--rate-limit", "0"], "'--rate-limit' must be an integer of at least 1"],
    [
      ["--header-timeout", "0"],
      "'--header-timeout' must be a number of seconds from 0.001 to 3600",
    ],
    [["--idle-timeout", "-1"], "'--idle-timeout'"],
    [
      ["--max-connections", "1.5"],
      "'--max-connections' must be an integer from 1 to 1000000",
    ],
    [["--shutdown-grace", "x"], "'--shutdown-grace'"],
    [
      ["--webhook-secret", "s3cret"],
      "'--webhook-secret' must be \"whsec_\" followed by the base64 of the key (scheme standard-webhooks): current value is a string in another form (not shown)",
    ],
    [
      ["--webhook-drop-rate", "1.5"],
      "'--webhook-drop-rate' must be a number from 0 to 1",
    ],
    [["--webhook-duplicate-rate=-1"], "'--webhook-duplicate-rate'"],
    [
      ["--webhook-delay", "5..2"],
      "'--webhook-delay MIN' must not exceed '--webhook-delay MAX'",
    ],
    [["--webhook-delay", "x"], "'--webhook-delay' must be MIN..MAX or N"],
    [["--webhook-allow-host", " "], "'webhookAllowHosts'"],
    [["--bogus"], "'--bogus'"],
    [["--port"], "'--port'"],
    [["extra"], "Cannot start the simulator"],
  ];
  for (const [args, expected] of cases) {
    await t.step(args.join(" "), async () => {
      const { code, out, err } = await runMain(args);
      assert.equal(code, 2);
      assert.equal(out, "");
      assert.ok(err.includes(expected), err);
      assert.equal(err.trimEnd().split("\n").length, 1, err);
    });
  }
});

Deno.test("valid flags reach the simulator", async () => {
  const { url, stop } = await serveCli([
    "--port=0",
    "--legacy",
    "--latency",
    "1..2",
    "--rate-limit",
    "1",
    "--max-jobs",
    "1",
    "--max-wait",
    "0",
    "--fault-rate",
    "0",
    "--reset-rate",
    "0",
    "--hostname",
    "127.0.0.1",
  ]);
  const first = await fetch(`${url}/status`, { headers: { Prefer: "wait=5" } });
  assert.equal(first.headers.get("retry-after"), null);
  assert.equal(first.headers.get("preference-applied"), null);
  await first.body?.cancel();
  // Of three quick requests two fall within one second: one is refused.
  const statuses: number[] = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(`${url}/status`);
    statuses.push(response.status);
    await response.body?.cancel();
  }
  assert.ok(statuses.includes(429), String(statuses));
  assert.equal(await stop(), 0);
});

Deno.test("--min-duration, --max-duration and --max-wait are in seconds", async () => {
  const { url, stop } = await serveCli([
    "--port=0",
    "--min-duration",
    "12",
    "--max-duration",
    "12",
    "--error-rate",
    "0",
    "--max-wait",
    "1",
  ]);
  // Twelve seconds, not milliseconds (final at once) nor hours (a hint of
  // 10, the cap): the hint is half the time left, rounded up.
  const hinted = await fetch(`${url}/status`);
  assert.deepEqual(await hinted.json(), { result: "pending" });
  assert.ok(
    ["5", "6"].includes(hinted.headers.get("retry-after") ?? ""),
    `Retry-After: ${hinted.headers.get("retry-after")}`,
  );
  // The long-poll is capped at one second, and the job is still pending.
  const held = await fetch(`${url}/status`, { headers: { Prefer: "wait=10" } });
  assert.equal(held.headers.get("preference-applied"), "wait=1");
  assert.deepEqual(await held.json(), { result: "pending" });
  assert.equal(await stop(), 0);
});

Deno.test("SIGTERM ends the CLI within --shutdown-grace despite a stalled upload", async () => {
  const { url, stop } = await serveCli([
    "--port",
    "0",
    "--shutdown-grace",
    "0.2",
    "--idle-timeout",
    "0.1",
    "--header-timeout",
    "0.2",
    "--max-connections",
    "50",
  ]);
  const port = Number(new URL(url).port);
  const stalled = await connect(port);
  await stalled.write(new TextEncoder().encode(
    "POST /jobs HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{",
  ));
  // The flags reached the server: a connection that sends nothing is closed.
  assert.ok((await readToEnd(await connect(port))).closedByServer);
  const start = performance.now();
  assert.equal(await stop(), 0);
  assert.ok(
    performance.now() - start < 10_000,
    "shutdown waited on the client",
  );
  assert.ok((await readToEnd(stalled)).closedByServer);
});

Deno.test("--dialect and --api-key serve a dialect that requires its key", async () => {
  const key = "r8_cli_secret";
  const { url, stop } = await serveCli([
    "--port=0",
    "--dialect",
    "replicate",
    "--api-key",
    key,
  ]);
  try {
    const created = await fetch(`${url}/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: '{"duration":60,"outcome":"canceled"}',
    });
    assert.equal(created.status, 201);
    const location = created.headers.get("location") ?? "";
    assert.match(location, /^\/v1\/predictions\/\w+$/);
    assert.match((await created.json()).status, /^(starting|processing)$/);
    const refused = await fetch(`${url}${location}`, {
      headers: { authorization: "Bearer wrong" },
    });
    assert.equal(refused.status, 401);
    const text = await refused.text();
    assert.match(text, /'authorization' header/);
    assert.ok(!text.includes(key) && !text.includes("wrong"), text);
  } finally {
    assert.equal(await stop(), 0);
  }
});

Deno.test("the --webhook-* flags reach the simulator: signed callbacks, allowed hosts", async () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  let arrived = (_: { headers: Headers; body: string }): void => {};
  const arrival = new Promise<{ headers: Headers; body: string }>((resolve) =>
    arrived = resolve
  );
  const receiver = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request) => {
      arrived({ headers: request.headers, body: await request.text() });
      return new Response(null, { status: 204 });
    },
  );
  const { url, stop } = await serveCli([
    "--port=0",
    "--webhook-secret",
    secret,
    "--webhook-allow-host",
    "hooks.example.test",
    "--webhook-allow-host=other.example.test",
    "--webhook-delay",
    "0..10",
    "--webhook-drop-rate",
    "0",
    "--webhook-duplicate-rate",
    "0",
  ]);
  try {
    const create = (callback: string, duration = 0) =>
      fetch(`${url}/jobs`, {
        method: "POST",
        body: JSON.stringify({ duration, callback_url: callback }),
      });
    for (const host of ["hooks.example.test", "other.example.test"]) {
      const allowed = await create(`https://${host}/h`, 3_600);
      assert.equal(allowed.status, 201, host);
      await allowed.body?.cancel();
    }
    const refused = await create("https://elsewhere.example.test/h");
    assert.equal(refused.status, 400);
    await refused.body?.cancel();
    const created = await create(
      `http://127.0.0.1:${receiver.addr.port}/hooks`,
    );
    assert.equal(created.status, 201);
    await created.body?.cancel();
    const event = await arrival;
    assert.equal(
      await verifyWebhook(secret, event.headers, event.body, Date.now()),
      true,
    );
  } finally {
    assert.equal(await stop(), 0);
    await receiver.shutdown();
  }
});
