// Sends thousands of seeded random requests (methods, paths, headers, bodies,
// ids) to the simulator's handler and checks that it never throws, never
// answers an unexpected 5xx, keeps terminal statuses terminal, and stays
// within its bounds (--max-jobs, held requests, rate-limit clients).

import assert from "node:assert/strict";
import { createSimulator, type Simulator } from "../server.ts";
import { isFinalStatus, isVideoStatus } from "../protocol/status.ts";
import { seededRandom } from "../util/random.ts";
import { FakeClock } from "../testing/fake_clock.ts";

const BASE = "http://fuzz.test";
const MAX_JOBS = 12;
const MAX_HELD = 30;
const MAX_WAIT = 5_000;

/** Documented 5xx answers that are not injected faults. */
const DOCUMENTED_5XX = [
  /^Cannot create a job as all \d+ stored jobs are still pending$/,
  /^Cannot hold the request as \d+ requests are already held$/,
];
const INJECTED_5XX = [
  /^Simulated server error$/,
  /^Simulated service unavailable$/,
];

interface FuzzOptions {
  readonly seed: number;
  readonly requests: number;
  readonly faults: boolean;
}

interface Tally {
  statuses: Map<number, number>;
  resets: number;
}

class Fuzzer {
  readonly random: () => number;
  readonly ids: string[] = [];
  readonly finals = new Map<string, string>();

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  junk(length: number): string {
    let text = "";
    for (let i = 0; i < length; i++) {
      text += String.fromCharCode(this.pick([
        32 + this.int(95),
        this.int(0xd7ff),
        0x2f,
        0x25,
      ]));
    }
    return text;
  }

  id(): string {
    return this.ids.length > 0 && this.random() < 0.7
      ? this.pick(this.ids)
      : this.pick([
        "nope",
        "0",
        "..",
        "%2e%2e",
        encodeURIComponent(this.junk(8)),
        "a".repeat(300),
      ]);
  }

  path(): string {
    const id = this.id();
    return this.pick([
      "/status",
      "/status",
      "/status/events",
      "/jobs",
      "/jobs",
      `/jobs/${id}`,
      `/jobs/${id}`,
      `/jobs/${id}/events`,
      `/jobs/${id}/`,
      "/jobs//events",
      "/status?job_id=1",
      "/",
      "/%00",
      `/${encodeURIComponent(this.junk(20))}`,
      `/${"x/".repeat(500)}`,
    ]);
  }

  method(): string {
    return this.pick([
      "GET",
      "GET",
      "GET",
      "POST",
      "POST",
      "HEAD",
      "OPTIONS",
      "PUT",
      "DELETE",
      "PATCH",
      "PROPFIND",
      "X-CUSTOM",
    ]);
  }

  headers(): Headers {
    const headers = new Headers();
    if (this.random() < 0.4) {
      headers.set(
        "Prefer",
        this.pick([
          `wait=${this.int(12)}`,
          `wait=${this.int(1e12)}`,
          "wait=-3",
          "wait=",
          'wait="2"',
          "respond-async, wait=1",
          "wait=1;foo=bar",
          this.junk(10).replace(/[^\x20-\x7e]/g, "x"),
        ]),
      );
    }
    if (this.random() < 0.2) {
      headers.set(
        "Access-Control-Request-Headers",
        this.pick(["prefer, x-api-key", "x-".repeat(700), "bad(header"]),
      );
    }
    if (this.random() < 0.2) {
      headers.set(
        "Content-Type",
        this.pick(["application/json", "text/plain", "multipart/form-data"]),
      );
    }
    if (this.random() < 0.2) headers.set("Authorization", "Bearer secret");
    return headers;
  }

  body(): BodyInit | null {
    switch (this.int(10)) {
      case 0:
        return null;
      case 1:
        return "";
      case 2:
        return JSON.stringify({
          duration: this.pick([
            this.random() * 3,
            0,
            -1,
            1e9,
            "2",
            null,
            Number.MAX_VALUE,
          ]),
          outcome: this.pick(["completed", "error", "pending", 1, null]),
        });
      case 3:
        return JSON.stringify({ duration: this.random() * 4 });
      case 4:
        return JSON.stringify({ outcome: this.pick(["completed", "error"]) });
      case 5:
        return this.junk(this.int(200));
      case 6:
        return new Uint8Array(
          Array.from({ length: this.int(64) }, () => this.int(256)),
        );
      case 7:
        return this.pick([
          "[]",
          "null",
          "1",
          '"x"',
          "{",
          '{"duration":[1]}',
          '{"__proto__":{"duration":1}}',
        ]);
      case 8:
        return this.random() < 0.5 ? "x".repeat(70_000) : "{}";
      default:
        return JSON.stringify({ duration: this.random(), extra: this.junk(5) });
    }
  }

  request(signal: AbortSignal): Request {
    // Most requests are well-formed, so that valid paths are exercised deeply;
    // the rest mix any method with any path.
    let method = this.method();
    let path = this.path();
    if (this.random() < 0.6) {
      [method, path] = this.pick<[string, string]>([
        ["GET", "/status"],
        ["GET", `/jobs/${this.id()}`],
        ["GET", `/jobs/${this.id()}`],
        ["POST", "/jobs"],
        ["POST", "/jobs"],
        ["GET", this.pick(["/status/events", `/jobs/${this.id()}/events`])],
      ]);
    }
    const hasBody = method !== "GET" && method !== "HEAD";
    return new Request(BASE + path, {
      method,
      headers: this.headers(),
      body: hasBody ? this.body() : null,
      signal,
    });
  }
}

async function check(
  response: Response,
  request: Request,
  fuzzer: Fuzzer,
  faults: boolean,
  tally: Tally,
): Promise<void> {
  const { status } = response;
  tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
  assert.ok(status >= 200 && status <= 599, `status ${status}`);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  if (status === 429 || status === 503) {
    assert.match(response.headers.get("retry-after") ?? "", /^\d+$/);
  }
  if (status === 499) {
    assert.ok(request.signal.aborted, "499 only for aborted requests");
    return;
  }
  const type = response.headers.get("content-type");
  if (response.body === null) return;
  if (type === "text/event-stream") {
    const reader = response.body.getReader();
    try {
      const { value } = await reader.read();
      assert.match(new TextDecoder().decode(value), /^event: status\ndata: \{/);
    } catch (error) {
      assert.ok(faults, `stream failed without faults: ${error}`);
      tally.resets++;
    } finally {
      await reader.cancel().catch(() => {});
    }
    return;
  }
  assert.equal(type, "application/json");
  let body: Record<string, unknown>;
  try {
    body = await response.json();
  } catch (error) {
    assert.ok(faults, `body failed without faults: ${error}`);
    tally.resets++;
    return;
  }
  if (status >= 500) {
    const allowed = faults
      ? [...DOCUMENTED_5XX, ...INJECTED_5XX]
      : DOCUMENTED_5XX;
    assert.ok(
      allowed.some((pattern) => pattern.test(String(body.error))),
      `unexpected ${status}: ${body.error}`,
    );
    return;
  }
  if (status >= 400) {
    assert.equal(typeof body.error, "string");
    return;
  }
  if (status === 201) {
    const id = String(body.id);
    assert.match(
      response.headers.get("location") ?? "",
      new RegExp(`^/jobs/${id}$`),
    );
    fuzzer.ids.push(id);
    if (fuzzer.ids.length > 200) fuzzer.ids.shift();
  }
  if (status === 200 || status === 201) {
    assert.ok(isVideoStatus(body.result), `result ${body.result}`);
    const key = typeof body.id === "string" ? body.id : "default";
    const final = fuzzer.finals.get(key);
    if (final !== undefined) {
      assert.equal(body.result, final, `job ${key} changed`);
    }
    if (isFinalStatus(body.result)) fuzzer.finals.set(key, body.result);
  }
}

async function fuzz(
  { seed, requests, faults }: FuzzOptions,
): Promise<Tally> {
  const clock = new FakeClock({ autoAdvance: false });
  const simulator: Simulator = createSimulator({
    clock,
    seed,
    minDuration: 0,
    maxDuration: 3_000,
    errorRate: 0.3,
    maxJobs: MAX_JOBS,
    maxHeld: MAX_HELD,
    maxWait: MAX_WAIT,
    heartbeatInterval: 700,
    ...(faults
      ? {
        faultRate: 0.2,
        resetRate: 0.1,
        minLatency: 0,
        maxLatency: 40,
        rateLimit: 4,
      }
      : {}),
  });
  const fuzzer = new Fuzzer(seed);
  const tally: Tally = { statuses: new Map(), resets: 0 };
  const inflight = new Set<Promise<void>>();
  const aborts: AbortController[] = [];
  for (let i = 0; i < requests; i++) {
    const controller = new AbortController();
    const request = fuzzer.request(controller.signal);
    if (fuzzer.random() < 0.02) aborts.push(controller);
    const done: Promise<void> = simulator
      .fetch(request, { remoteAddr: { hostname: `10.0.0.${fuzzer.int(5)}` } })
      .then((response) => check(response, request, fuzzer, faults, tally))
      .finally(() => inflight.delete(done));
    inflight.add(done);
    if (i % 25 === 24) {
      for (const abort of aborts.splice(0)) abort.abort();
      await clock.tick(fuzzer.int(1_500));
      const stats = simulator.stats();
      assert.ok(stats.jobs <= MAX_JOBS, `${stats.jobs} jobs stored`);
      assert.ok(stats.held <= MAX_HELD + 25, `${stats.held} held`);
      assert.ok(stats.clients <= 5, `${stats.clients} clients`);
    }
  }
  for (const abort of aborts) abort.abort();
  await clock.tick(MAX_WAIT + 100);
  await Promise.all(inflight);
  assert.equal(simulator.stats().held, 0);
  await simulator.close();
  assert.equal(clock.timers, 0);
  return tally;
}

Deno.test("fuzz: 6,000 random requests without faults get no 5xx but the documented ones", async () => {
  const tally = await fuzz({
    seed: 20_240_601,
    requests: 6_000,
    faults: false,
  });
  for (const status of [200, 201, 204, 400, 404, 405, 413, 503]) {
    assert.ok(
      tally.statuses.has(status),
      `no ${status} seen: ${[...tally.statuses.keys()]}`,
    );
  }
  assert.equal(tally.statuses.get(500), undefined);
  assert.equal(tally.resets, 0);
});

Deno.test("fuzz: 4,000 random requests with faults get only injected or documented 5xx", async () => {
  const tally = await fuzz({ seed: 77, requests: 4_000, faults: true });
  for (const status of [200, 429, 500, 503]) {
    assert.ok(tally.statuses.has(status), `no ${status} seen`);
  }
  assert.ok(tally.resets > 0);
});
