import assert from "node:assert/strict";
import { VideoStatusClient, type VideoStatusClientOptions } from "../../mod.ts";
import { scriptedFetch } from "../../testing/scripted_fetch.ts";
import { completed } from "./_setup.ts";

Deno.test("the constructor rejects bad options with clear errors", async (t) => {
  // Options as JavaScript callers may pass them, wrong types included.
  const untyped = (options: Record<string, unknown>) =>
    options as VideoStatusClientOptions;
  const bad: [VideoStatusClientOptions, ErrorConstructor, RegExp][] = [
    [{ serverUrl: "not a url" }, TypeError, /'serverUrl'.*not a url/],
    [{ statusUrl: "/status" }, TypeError, /'statusUrl'/],
    [
      untyped({ headers: "x-api-key: k" }),
      TypeError,
      /'headers' must be a record/,
    ],
    [
      { headers: [["x-api-key"] as unknown as [string, string]] },
      TypeError,
      /'headers'/,
    ],
    [{ maxRedirects: -1 }, RangeError, /'maxRedirects'.*-1/],
    [
      untyped({ allowedOrigins: "http://a.test" }),
      TypeError,
      /'allowedOrigins' must be an array/,
    ],
    [
      { allowedOrigins: ["http://a.test/path"] },
      TypeError,
      /'allowedOrigins\[0\]' must be an origin.*a\.test\/path/,
    ],
    [
      { allowedOrigins: ["a.test"] },
      TypeError,
      /'allowedOrigins\[0\]' must be an absolute http: or https: URL/,
    ],
    [
      untyped({
        allowedOrigins: [{ origin: "http://a.test", sendHeaders: "yes" }],
      }),
      TypeError,
      /'allowedOrigins\[0\].sendHeaders' must be a boolean/,
    ],
    [{ maxRetries: -1 }, RangeError, /'maxRetries'.*-1/],
    [{ maxRetries: 1.5 }, RangeError, /'maxRetries'/],
    [{ initialDelay: -5 }, RangeError, /'initialDelay'.*-5/],
    [
      { maxDelay: 10 },
      RangeError,
      /'maxDelay' must be .* at least 'initialDelay' \(1000\): current value is 10$/,
    ],
    [
      { initialDelay: 6000 },
      RangeError,
      /'maxDelay' .* 'initialDelay' \(6000\): current value is 5000/,
    ],
    [{ minDelay: 70_000 }, RangeError, /'maxRetryAfter' .* 'minDelay'/],
    [
      untyped({ maxRetries: "5" }),
      RangeError,
      /'maxRetries'.*current value is "5"/,
    ],
    [untyped({ jitter: "0.1" }), RangeError, /'jitter'.*"0.1"/],
    [
      untyped({ maxRequestsPerSecond: true }),
      RangeError,
      /'maxRequestsPerSecond'/,
    ],
    [
      untyped({ schedule: {} }),
      TypeError,
      /'schedule' must have the methods nextDelay\(\)/,
    ],
    [
      untyped({ clock: { now: () => 0 } }),
      TypeError,
      /'clock' .* now\(\), sleep\(\)/,
    ],
    [untyped({ random: "x" }), TypeError, /'random' must be a function/],
    [untyped({ onUpdate: 5 }), TypeError, /'onUpdate' must be a function/],
    [{ jitter: 2 }, RangeError, /'jitter'/],
    [{ timeout: Infinity }, RangeError, /'timeout'.*Infinity/],
    [{ timeout: 0 }, RangeError, /'timeout'/],
    [{ requestTimeout: NaN }, RangeError, /'requestTimeout'/],
    [{ maxRequestsPerSecond: 0 }, RangeError, /'maxRequestsPerSecond'/],
    [untyped({ strategy: "fast" }), TypeError, /'strategy'.*fast/],
    [untyped({ fetch: "fetch" }), TypeError, /'fetch'/],
  ];
  for (const [options, type, message] of bad) {
    await t.step(JSON.stringify(options), () => {
      assert.throws(() => new VideoStatusClient(options), (error) => {
        assert.ok(error instanceof type);
        assert.match((error as Error).message, message);
        return true;
      });
    });
  }
  assert.throws(
    () => new VideoStatusClient(null as unknown as VideoStatusClientOptions),
    /options must be an object: current value is null/,
  );
  const client = new VideoStatusClient({
    fetch: scriptedFetch([completed()]).fetch,
  });
  await assert.rejects(client.getStatus({ timeout: -1 }), RangeError);
  assert.throws(() => client.watch(""), TypeError);
});

Deno.test("URL options that cannot work are refused, naming the option and the expected form", async (t) => {
  const expected =
    /must be an absolute http: or https: URL such as http:\/\/127\.0\.0\.1:5000/;
  const cases: [string, string, RegExp][] = [
    [
      "localhost:5000",
      "scheme is localhost:",
      /current value is localhost:5000$/,
    ],
    ["ftp://files.test/x", "scheme is ftp:", /ftp:\/\/files\.test\/x$/],
    ["file:///etc/passwd", "scheme is file:", /file:/],
    ["/relative", "", /current value is \/relative$/],
    ["127.0.0.1:5000", "", /127\.0\.0\.1:5000$/],
    ["http://user:s3cret@host.test", "without user info", /\*\*\*@host\.test/],
    ["user:s3cret@host.test", "", /\*\*\*@host\.test/],
  ];
  for (const name of ["serverUrl", "statusUrl"] as const) {
    for (const [value, why, shown] of cases) {
      await t.step(`${name}: ${value}`, () => {
        assert.throws(
          () => new VideoStatusClient({ [name]: value }),
          (error) => {
            assert.ok(error instanceof TypeError);
            const { message } = error;
            assert.match(
              message,
              new RegExp(`^Cannot create VideoStatusClient as '${name}' `),
            );
            assert.match(message, expected);
            assert.ok(message.includes(why), message);
            assert.match(message, shown);
            assert.doesNotMatch(message, /s3cret/);
            return true;
          },
        );
      });
    }
  }
  await t.step("job.url", () => {
    const client = new VideoStatusClient({
      fetch: scriptedFetch([completed()]).fetch,
    });
    for (const [value] of cases) {
      const job = {
        id: "j",
        url: value,
        result: "pending",
        createdAt: 0,
      } as const;
      assert.throws(() => client.waitForJob(job), (error) => {
        assert.ok(error instanceof TypeError);
        assert.match(
          error.message,
          /^Cannot wait for a job as 'job\.url' must be an absolute http: or https: URL/,
        );
        assert.doesNotMatch(error.message, /s3cret/);
        return true;
      });
    }
  });
  const https = new VideoStatusClient({
    serverUrl: new URL("https://api.test/v1"),
  });
  assert.equal(https.statusUrl, "https://api.test/v1/status");
});

Deno.test("an invalid header value is refused at construction without showing it", () => {
  for (const value of ["s3cret\nvalue", "s3cret\u2713"]) {
    assert.throws(
      () => new VideoStatusClient({ headers: { "x-api-key": value } }),
      (error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /'headers' .* "x-api-key" is not valid/);
        assert.doesNotMatch(error.message, /s3cret/);
        assert.equal(error.cause, undefined);
        return true;
      },
    );
  }
  for (
    const headers of [
      { "x-a": "1" },
      [["x-a", "1"]] as [string, string][],
      new Headers({ "x-a": "1" }),
    ]
  ) {
    assert.ok(new VideoStatusClient({ headers }));
  }
});
