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
