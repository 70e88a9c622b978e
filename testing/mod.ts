/**
 * Test helpers for code that uses `@video-status/client`: a virtual
 * {@linkcode FakeClock} that makes waits deterministic and instant, and a
 * {@linkcode scriptedFetch} that answers each request with the next step of
 * a script and records what was sent.
 *
 * @example Wait for a job without a server or real time
 * ```ts
 * import { VideoStatusClient } from "@video-status/client";
 * import { FakeClock, scriptedFetch } from "@video-status/client/testing";
 * import assert from "node:assert/strict";
 *
 * const { fetch, requests } = scriptedFetch([
 *   Response.json({ result: "pending" }),
 *   Response.json({ result: "completed" }),
 * ]);
 * const client = new VideoStatusClient({ fetch, clock: new FakeClock(), strategy: "poll" });
 * const final = await client.waitForJob("a1");
 * assert.equal(final.result, "completed");
 * assert.equal(requests.length, 2);
 * ```
 *
 * @module
 */

export * from "./fake_clock.ts";
export * from "./scripted_fetch.ts";
