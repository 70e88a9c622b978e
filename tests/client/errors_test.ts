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
    /^Gave up after 6 consecutive failed requests to POST http:\/\/x\.test\/jobs: Request timed out/,
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
