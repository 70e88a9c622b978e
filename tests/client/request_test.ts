import assert from "node:assert/strict";
import {
  isNetworkError,
  isRequestError,
  isVideoStatusError,
  NetworkError,
  RequestError,
  TimeoutError,
  VideoStatusClient,
  type VideoStatusClientOptions,
} from "../../mod.ts";
import { type Clock, FakeClock } from "../../testing/fake_clock.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { completed, setup } from "./_setup.ts";

Deno.test("a fetch that answers after its abort (an in-process handler) does not count as an answer", async (t) => {
  // Like the simulator's fetch, which answers an aborted long-poll with a 499.
  const answersAnyway = (request: Request) =>
    new Promise<Response>((resolve) =>
      request.signal.addEventListener(
        "abort",
        () => resolve(new Response(null, { status: 499 })),
        { once: true },
      )
    );
  for (const strategy of ["long-poll", "sse"] as const) {
    await t.step(`${strategy}: abort`, async () => {
      const clock = new FakeClock();
      const client = new VideoStatusClient({
        clock,
        strategy,
        fetch: (input, init) => answersAnyway(new Request(input, init)),
      });
      const controller = new AbortController();
      const reason = new Error("leaving");
      const waiting = client.getStatus({ signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 0));
      controller.abort(reason);
      await assert.rejects(waiting, (error) => error === reason);
    });
    await t.step(`${strategy}: timeout`, async () => {
      const client = new VideoStatusClient({
        clock: new FakeClock(),
        strategy,
        timeout: 5000,
        fetch: (input, init) => answersAnyway(new Request(input, init)),
      });
      await assert.rejects(client.getStatus(), TimeoutError);
    });
  }
});

// Redirects and origins: the client follows redirects itself, and the
// configured headers go only where they were configured for.

const KEY = "k3y-0f-the-user";
const redirect = (status: number, location: string): Response =>
  new Response(null, { status, headers: { location } });
const keyed = (options: VideoStatusClientOptions = {}) => ({
  serverUrl: "http://api.test",
  headers: { "x-api-key": KEY },
  ...options,
});
const strategies = ["poll", "long-poll", "sse"] as const;

Deno.test("a redirect to another origin is refused at once and never gets the key", async (t) => {
  for (const strategy of strategies) {
    for (const status of [301, 302, 303, 307, 308]) {
      await t.step(`${strategy} ${status}`, async () => {
        const { client, requests, retries } = setup(
          [redirect(status, "http://evil.test/steal")],
          keyed({ strategy }),
        );
        const error = await client.getStatus().catch((e) => e);
        assert.ok(error instanceof RequestError, String(error));
        assert.match(
          error.message,
          /http:\/\/evil\.test\/steal .*origin http:\/\/evil\.test .*'allowedOrigins'/,
        );
        assert.equal(error.method, "GET");
        assert.deepEqual(requests.map((r) => new URL(r.url).host), [
          "api.test",
        ]);
        assert.equal(requests[0].headers.get("x-api-key"), KEY);
        assert.equal(retries.length, 0);
      });
    }
  }
});

Deno.test("an allowed origin gets the request, but the key only if its entry says so", async (t) => {
  const cases = [
    ["http://cdn.test", null],
    [new URL("http://cdn.test"), null],
    [{ origin: "http://cdn.test" }, null],
    [{ origin: "http://cdn.test", sendHeaders: true }, KEY],
  ] as const;
  for (const [entry, expected] of cases) {
    await t.step(JSON.stringify(entry), async () => {
      const { client, requests } = setup(
        [redirect(302, "http://cdn.test/status/1"), completed()],
        keyed({ allowedOrigins: [entry] }),
      );
      assert.equal(await client.getStatus(), "completed");
      assert.equal(requests[1].url, "http://cdn.test/status/1");
      assert.equal(requests[1].headers.get("x-api-key"), expected);
      assert.equal(requests[1].headers.get("accept"), "application/json");
    });
  }
});

Deno.test("same-origin redirects are followed with the key, and their hops are not attempts", async () => {
  const { client, requests, updates } = setup(
    [redirect(307, "/v2/status"), redirect(308, "status?x=1"), completed()],
    keyed({ strategy: "long-poll" }),
  );
  assert.equal(await client.getStatus(), "completed");
  assert.deepEqual(requests.map((r) => r.url), [
    "http://api.test/status",
    "http://api.test/v2/status",
    "http://api.test/v2/status?x=1",
  ]);
  for (const request of requests) {
    assert.equal(request.headers.get("x-api-key"), KEY);
    assert.equal(request.headers.get("prefer"), "wait=30");
    assert.equal(request.redirect, "manual");
  }
  assert.equal(updates[0].attempt, 1);
});

Deno.test("an https upgrade of a configured origin keeps the key; a downgrade is refused", async () => {
  const up = setup(
    [redirect(301, "https://api.test/status"), completed()],
    keyed(),
  );
  assert.equal(await up.client.getStatus(), "completed");
  assert.equal(up.requests[1].headers.get("x-api-key"), KEY);
  const down = setup(
    [redirect(301, "http://api.test/status")],
    keyed({ serverUrl: "https://api.test" }),
  );
  await assert.rejects(down.client.getStatus(), RequestError);
  assert.equal(down.requests.length, 1);
});

Deno.test("at most maxRedirects redirects are followed in a row", async () => {
  for (const maxRedirects of [0, 1, 5]) {
    const options = maxRedirects === 5 ? {} : { maxRedirects };
    const { client, requests } = setup(
      [redirect(302, "/status")],
      keyed(options),
    );
    const error = await client.getStatus().catch((e) => e);
    assert.ok(error instanceof RequestError);
    assert.match(
      error.message,
      new RegExp(`more than ${maxRedirects} redirects .*'maxRedirects'`),
    );
    assert.equal(requests.length, maxRedirects + 1);
  }
});

Deno.test("a Location of any scheme but http: or https: is refused without a request", async (t) => {
  const locations = [
    "file:///etc/passwd",
    'data:application/json,{"result":"completed"}',
    "ftp://api.test/status",
    "javascript:alert(1)",
    "http://user:pw@api.test/status",
  ];
  for (const location of locations) {
    await t.step(location, async () => {
      const { client, requests } = setup([redirect(302, location)], keyed());
      const error = await client.getStatus().catch((e) => e);
      assert.ok(error instanceof RequestError);
      assert.doesNotMatch(error.message, /pw@/);
      assert.equal(requests.length, 1);
      const created = setup(
        [json({ id: "j", result: "pending" }, {
          status: 201,
          headers: { location },
        })],
        keyed(),
      );
      await assert.rejects(created.client.createJob(), RequestError);
    });
  }
});

Deno.test("a created job's Location on another origin is refused unless allowed, and then waited on without the key", async () => {
  const created = () =>
    json({ id: "j", result: "pending" }, {
      status: 201,
      headers: { location: "http://jobs.test/jobs/j" },
    });
  const refused = setup([created()], keyed());
  const error = await refused.client.createJob().catch((e) => e);
  assert.ok(error instanceof RequestError);
  assert.equal(error.method, "POST");
  assert.match(error.message, /created job's Location .*'allowedOrigins'/);
  const allowed = setup(
    [created(), completed()],
    keyed({ allowedOrigins: ["http://jobs.test"] }),
  );
  const job = await allowed.client.createJob();
  assert.equal(job.url, "http://jobs.test/jobs/j");
  await allowed.client.waitForJob(job);
  assert.equal(allowed.requests[0].headers.get("x-api-key"), KEY);
  assert.equal(allowed.requests[1].url, "http://jobs.test/jobs/j");
  assert.equal(allowed.requests[1].headers.get("x-api-key"), null);
});

Deno.test("a job URL passed in on another origin is refused before any request", () => {
  const { client, requests } = setup([completed()], keyed());
  const job = {
    id: "j",
    url: "http://evil.test/jobs/j",
    result: "pending",
    createdAt: 0,
  } as const;
  assert.throws(
    () => client.waitForJob(job),
    /'job\.url' must be on the origin/,
  );
  assert.throws(
    () => client.watch({ ...job, url: "file:///etc/passwd" }),
    /'job\.url' must be an absolute http: or https: URL .*file:/,
  );
  assert.equal(requests.length, 0);
});

Deno.test("a POST redirected with 303 (or 301, 302) continues as a GET without its body", async () => {
  const { client, requests } = setup(
    [
      redirect(303, "/jobs/j"),
      json({ id: "j", result: "pending" }),
    ],
    keyed(),
  );
  const job = await client.createJob({ duration: 1000 });
  assert.equal(job.url, "http://api.test/jobs/j");
  assert.deepEqual(requests.map((r) => r.method), ["POST", "GET"]);
  assert.equal(requests[1].headers.get("content-type"), null);
  assert.equal(requests[1].body, null);
});

Deno.test("a redirect the runtime hides (a browser's opaque redirect) ends the wait with a clear error", async () => {
  const opaque = () =>
    Object.defineProperty(new Response(null), "type", {
      value: "opaqueredirect",
    });
  const { client, requests } = setup([opaque], keyed());
  const error = await client.getStatus().catch((e) => e);
  assert.ok(error instanceof RequestError);
  assert.match(error.message, /redirect that the runtime hides/);
  assert.equal(requests.length, 1);
});

Deno.test("a network failure is a NetworkError naming the request and what the runtime said, and is retried", async () => {
  const refused = new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5000"), {
      code: "ECONNREFUSED",
    }),
  });
  const { client, retries } = setup([refused, completed()], keyed());
  assert.equal(await client.getStatus(), "completed");
  const [{ error }] = retries;
  assert.ok(isNetworkError(error) && error instanceof NetworkError);
  assert.equal(
    error.message,
    "No answer to GET http://api.test/status: fetch failed (connect ECONNREFUSED 127.0.0.1:5000)",
  );
  assert.ok(error.cause instanceof TypeError);
  assert.notEqual(error.cause, refused);
  const cause = error.cause.cause as Error & { code: string };
  assert.equal(cause.code, "ECONNREFUSED");
  // Recognised by name from another realm, as the other errors are.
  const foreign = Object.assign(new Error("x"), { method: "GET" });
  for (const name of ["NetworkError", "RequestError"]) {
    foreign.name = name;
    assert.ok(isVideoStatusError(foreign));
  }
  assert.ok(
    isRequestError(Object.assign(new Error("x"), { name: "RequestError" })),
  );
});

Deno.test("with Deno's own fetch, a redirect to another origin never gets the key and a file: Location is never read", async () => {
  const seenByOther: Headers[] = [];
  const other = Deno.serve({ port: 0, onListen() {} }, (request) => {
    seenByOther.push(request.headers);
    return Response.json({ result: "completed" });
  });
  const otherUrl = `http://127.0.0.1:${other.addr.port}`;
  const api = Deno.serve({ port: 0, onListen() {} }, (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/away/status") {
      return Response.redirect(`${otherUrl}/status`, 302);
    }
    if (pathname === "/file/status") {
      return new Response(null, {
        status: 302,
        headers: { location: "file:///etc/hostname" },
      });
    }
    return Response.json({ result: "pending" });
  });
  const apiUrl = `http://127.0.0.1:${api.addr.port}`;
  try {
    for (const path of ["away", "file"]) {
      const client = new VideoStatusClient({
        serverUrl: `${apiUrl}/${path}`,
        headers: { "x-api-key": KEY },
        strategy: "poll",
      });
      await assert.rejects(client.getStatus(), RequestError);
    }
    assert.equal(seenByOther.length, 0);
  } finally {
    await Promise.all([other.shutdown(), api.shutdown()]);
  }
});

Deno.test("the request budget counts a request from when fetch had it, however long the way into fetch took", async () => {
  // The first call into fetch takes 5 ms before the request is out (a fetch
  // wrapper, a collection pause): the client's clock moves on meanwhile, and
  // a second wait queues for the budget then.
  const fake = new FakeClock();
  let late = 0;
  const clock: Clock = {
    now: () => fake.now() + late,
    sleep: (ms, signal) => fake.sleep(ms, signal),
  };
  const times: number[] = [];
  let second: Promise<unknown> | undefined;
  const client = new VideoStatusClient({
    clock,
    maxRequestsPerSecond: 1,
    fetch: () => {
      if (second === undefined) {
        late += 5;
        second = client.getStatus();
      }
      times.push(clock.now());
      return Promise.resolve(completed());
    },
  });
  await client.getStatus();
  await second;
  assert.ok(times[1] - times[0] >= 1000, `${times[1] - times[0]} ms apart`);
});
