import assert from "node:assert/strict";
import {
  HTTPError,
  isHTTPError,
  isProtocolError,
  isRequestTimeoutError,
  isRetryError,
  isTimeoutError,
  isVideoStatusError,
  ProtocolError,
  RequestTimeoutError,
  RetryError,
  TimeoutError,
  VideoStatusError,
} from "../../mod.ts";
import { seededRandom } from "../../util/random.ts";

const label = { method: "GET", url: "http://x.test/status" };

Deno.test("every error is a VideoStatusError with the request's method and URL", () => {
  const errors = [
    new HTTPError(new Response("", { status: 404 }), "GET", label.url),
    new ProtocolError("Bad body", "{", label),
    new RetryError(new TypeError("refused"), 3, label),
    new TimeoutError(1000, 2, "pending", label),
    new RequestTimeoutError(500, label),
  ];
  for (const error of errors) {
    assert.ok(error instanceof VideoStatusError, error.name);
    assert.ok(isVideoStatusError(error), error.name);
    assert.deepEqual([error.method, error.url], [label.method, label.url]);
    assert.ok(error.message.includes(label.url), error.message);
  }
});

Deno.test("RetryError takes (cause, failures) and the cause's request when given none", () => {
  const cause = new RequestTimeoutError(500, {
    method: "POST",
    url: "http://x.test/jobs",
  });
  const error = new RetryError(cause, 6);
  assert.equal(error.cause, cause);
  assert.equal(error.failures, 6);
  assert.deepEqual([error.method, error.url], ["POST", "http://x.test/jobs"]);
  assert.match(
    error.message,
    /^Gave up after 6 failed requests in a row, the last: Request timed out after 500 ms: POST http:\/\/x\.test\/jobs/,
  );
});

Deno.test("a wait timeout and a request timeout are told apart, across realms too", () => {
  const wait = new TimeoutError(1000, 2, undefined, label);
  const request = new RequestTimeoutError(500, label);
  assert.ok(isTimeoutError(wait) && !isRequestTimeoutError(wait));
  assert.ok(isRequestTimeoutError(request) && !isTimeoutError(request));
  // As an error from another copy of the package looks: same name and fields.
  const foreign = Object.assign(new Error("x"), {
    name: "TimeoutError",
    timeout: 1000,
    method: "GET",
    url: label.url,
  });
  assert.ok(isTimeoutError(foreign));
  assert.ok(isVideoStatusError(foreign));
  assert.ok(!isVideoStatusError(new DOMException("t", "TimeoutError")));
  assert.ok(
    !isVideoStatusError(Object.assign(new Error("x"), { name: "HTTPError" })),
  );
  assert.ok(
    !isHTTPError(wait) && !isRetryError(wait) && !isProtocolError(wait),
  );
});

Deno.test("HTTPError shows what the server said, bounded and printable", async (t) => {
  const cases: [string, string, string][] = [
    ["JSON error", '{"error": "Job not found"}', "Job not found"],
    ["JSON message", '{"message": "Quota exceeded"}', "Quota exceeded"],
    [
      "message before a generic error",
      '{"error": "Bad Request", "message": "duration must be positive"}',
      "duration must be positive",
    ],
    ["nested error", '{"error": {"message": "nested"}}', "nested"],
    [
      "problem details",
      '{"title": "Forbidden", "detail": "API key revoked"}',
      "API key revoked",
    ],
    ["JSON without text", '{"code": 7}', '{"code": 7}'],
    ["plain text", "no such job\n", "no such job"],
    ["control characters", "bad\u0000\u001b[31m\r\nkey\u202e", "bad [31m key"],
    ["empty", "", ""],
    ["long", "é".repeat(1000), "é".repeat(197) + "..."],
  ];
  for (const [name, body, said] of cases) {
    await t.step(name, () => {
      const response = new Response(body, {
        status: 404,
        statusText: "Not Found",
      });
      const error = new HTTPError(response, "GET", label.url, body);
      assert.equal(error.serverMessage, said);
      assert.equal(
        error.message,
        `Request failed with status 404 Not Found: GET ${label.url}${
          said ? ` (server said: ${said})` : ""
        }`,
      );
      assert.equal(error.body, body);
    });
  }
});

Deno.test("HTTPError's message is bounded and printable for any body", () => {
  const random = seededRandom(8);
  for (let run = 0; run < 300; run++) {
    const length = Math.floor(random() * 600);
    const body = String.fromCodePoint(
      ...Array.from({ length }, () => Math.floor(random() * 0x3000)),
    );
    const wrapped = random() < 0.5 ? JSON.stringify({ error: body }) : body;
    const error = new HTTPError(
      new Response(null, { status: 400 }),
      "GET",
      label.url,
      wrapped,
    );
    assert.ok(Array.from(error.serverMessage).length <= 200, `run ${run}`);
    assert.doesNotMatch(error.message, /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u);
  }
});

Deno.test("messages round durations and count in words", () => {
  assert.equal(
    new RequestTimeoutError(1234.5678901, label).message,
    `Request timed out after 1.2 s: GET ${label.url}`,
  );
  assert.equal(
    new TimeoutError(250, 1, undefined, label).message,
    `Wait timed out after 250 ms and 1 request: GET ${label.url}`,
  );
  assert.equal(
    new TimeoutError(90_000, 2, "pending", label).message,
    `Wait timed out after 1 min 30 s and 2 requests; last status was 'pending': GET ${label.url}`,
  );
  assert.equal(
    new RetryError(new TypeError("reset"), 1, label).message,
    `Gave up after 1 failed request to GET ${label.url}, the last: reset`,
  );
  assert.equal(
    new RetryError(new TypeError("reset"), 3, label).message,
    `Gave up after 3 failed requests in a row to GET ${label.url}, the last: reset`,
  );
});
