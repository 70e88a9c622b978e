import assert from "node:assert/strict";
import {
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { isTimeoutError, VideoStatusClient } from "../../mod.ts";
import { createSimulator } from "../../server.ts";
import { otelHooks } from "../../otel/mod.ts";
import { json } from "../../testing/scripted_fetch.ts";
import { completed, pending, setup } from "../client/_setup.ts";

/** A tracer whose finished spans are kept in memory. */
function memoryTracer() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { exporter, provider, tracer: provider.getTracer("test") };
}

const byName = (spans: ReadableSpan[], name: string): ReadableSpan[] =>
  spans.filter((span) => span.name === name);

Deno.test("otelHooks() makes one span per wait with one child span per request, and sends each one's traceparent", async () => {
  const { exporter, tracer } = memoryTracer();
  const { client, requests } = setup([
    pending(),
    json({ error: "busy" }, { status: 503 }),
    new TypeError("connection reset"),
    completed(),
  ], {
    hooks: otelHooks({ tracer }),
    serverUrl: "http://api.test:8080/v1/?sig=s3cret&api-version=2",
  });
  await client.waitForJob("a1");
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 5);
  const [wait] = byName(spans, "video_status.wait");
  assert.equal(wait.kind, SpanKind.INTERNAL);
  assert.deepEqual(wait.attributes, {
    "video_status.job.id": "a1",
    "video_status.dialect": "video-status",
    "video_status.strategy": "poll",
    "video_status.outcome": "completed",
    "video_status.request.count": 4,
  });
  assert.equal(wait.status.code, SpanStatusCode.UNSET);
  const gets = byName(spans, "GET");
  assert.equal(gets.length, 4);
  const url = "http://api.test:8080/v1/jobs/a1?sig=REDACTED&api-version=2";
  for (const [index, span] of gets.entries()) {
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(span.spanContext().traceId, wait.spanContext().traceId);
    assert.equal(span.parentSpanContext?.spanId, wait.spanContext().spanId);
    assert.equal(span.attributes["http.request.method"], "GET");
    assert.equal(span.attributes["url.full"], url);
    assert.equal(span.attributes["server.address"], "api.test");
    assert.equal(span.attributes["server.port"], 8080);
    // Sent with the request: this span's own context.
    const { traceId, spanId } = span.spanContext();
    assert.equal(
      requests[index].headers.get("traceparent"),
      `00-${traceId}-${spanId}-01`,
    );
  }
  assert.deepEqual(
    gets.map((span) => [
      span.attributes["http.response.status_code"],
      span.attributes["error.type"],
      span.status.code,
    ]),
    [
      [200, undefined, SpanStatusCode.UNSET],
      [503, "503", SpanStatusCode.ERROR],
      [undefined, "NetworkError", SpanStatusCode.ERROR],
      [200, undefined, SpanStatusCode.UNSET],
    ],
  );
  assert.equal(gets[2].events[0].name, "exception");
});

Deno.test("otelHooks() ends a wait that times out with an error status", async () => {
  const { exporter, tracer } = memoryTracer();
  const { client } = setup([pending()], { hooks: otelHooks({ tracer }) });
  await assert.rejects(
    client.waitForJob("a1", { timeout: 3_000 }),
    (error) => isTimeoutError(error),
  );
  const [wait] = byName(exporter.getFinishedSpans(), "video_status.wait");
  assert.equal(wait.attributes["video_status.outcome"], "timeout");
  assert.equal(wait.attributes["error.type"], "TimeoutError");
  assert.equal(wait.status.code, SpanStatusCode.ERROR);
  const requests = wait.attributes["video_status.request.count"] as number;
  assert.equal(
    byName(exporter.getFinishedSpans(), "GET").length,
    requests,
  );
});

Deno.test("otelHooks() traces check(), createJob() and cancel() as root spans of their own", async () => {
  const { exporter, tracer } = memoryTracer();
  const { client } = setup([json({ id: "a1", result: "pending" })], {
    hooks: otelHooks({ tracer }),
  });
  await client.check("a1");
  await client.cancel("a1");
  const spans = exporter.getFinishedSpans();
  assert.deepEqual(spans.map((span) => span.name), ["GET", "POST"]);
  for (const span of spans) assert.equal(span.parentSpanContext, undefined);
  assert.equal(
    spans[1].attributes["url.full"],
    "http://127.0.0.1:5000/jobs/a1/cancel",
  );
});

Deno.test("otelHooks() uses the global tracer and the registered W3C propagator", async (t) => {
  const { exporter, provider } = memoryTracer();
  trace.setGlobalTracerProvider(provider);
  try {
    await t.step(
      "no propagator registered: traceparent is written all the same",
      async () => {
        assert.deepEqual(propagation.fields(), []);
        const { client, requests } = setup([completed()], {
          hooks: otelHooks(),
        });
        await client.waitForJob("a1");
        const [get] = byName(exporter.getFinishedSpans(), "GET");
        assert.equal(
          requests[0].headers.get("traceparent"),
          `00-${get.spanContext().traceId}-${get.spanContext().spanId}-01`,
        );
        exporter.reset();
      },
    );
    await t.step(
      "the W3C propagator registered: it writes the headers",
      async () => {
        propagation.setGlobalPropagator(new W3CTraceContextPropagator());
        try {
          const { client, requests } = setup([completed()], {
            hooks: otelHooks(),
          });
          await client.waitForJob("a1");
          const [get] = byName(exporter.getFinishedSpans(), "GET");
          assert.equal(
            requests[0].headers.get("traceparent"),
            `00-${get.spanContext().traceId}-${get.spanContext().spanId}-01`,
          );
        } finally {
          propagation.disable();
        }
      },
    );
  } finally {
    trace.disable();
  }
});

Deno.test("otelHooks() without any SDK sends no traceparent: the no-op spans have no trace", async () => {
  const { client, requests } = setup([completed()], { hooks: otelHooks() });
  assert.equal((await client.waitForJob("a1")).result, "completed");
  assert.equal(requests[0].headers.get("traceparent"), null);
});

Deno.test("otelHooks() sends traceparent with real requests to a real server, the redirect's hop too", async () => {
  const { exporter, tracer } = memoryTracer();
  await using simulator = createSimulator({
    minDuration: 200,
    maxDuration: 200,
  });
  // What each request carried, as the server got it.
  const seen: { path: string; traceparent: string | null }[] = [];
  await using http = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (request) => {
      const { pathname } = new URL(request.url);
      seen.push({
        path: pathname,
        traceparent: request.headers.get("traceparent"),
      });
      if (pathname.startsWith("/moved/")) {
        return new Response(null, {
          status: 307,
          headers: { location: pathname.replace("/moved/", "/jobs/") },
        });
      }
      return simulator.fetch(request);
    },
  );
  const serverUrl = `http://127.0.0.1:${http.addr.port}`;
  const client = new VideoStatusClient({
    serverUrl,
    strategy: "poll",
    initialDelay: 50,
    maxDelay: 100,
    minDelay: 0,
    hooks: otelHooks({ tracer }),
  });
  const job = await client.createJob({ duration: 200, outcome: "completed" });
  const final = await client.waitForJob(job);
  assert.equal(final.result, "completed");
  await client.check({ ...job, url: `${serverUrl}/moved/${job.id}` });
  const spans = exporter.getFinishedSpans();
  const clientSpans = spans.filter((span) => span.kind === SpanKind.CLIENT);
  // One span per request, and each hop of a request carries its span's context.
  assert.equal(clientSpans.length, seen.length - 1);
  const parents = seen.map(({ traceparent }) => traceparent);
  assert.ok(parents.every((value) => value !== null));
  assert.deepEqual(
    [...new Set(parents)],
    clientSpans.map((span) =>
      `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`
    ),
  );
  const [wait] = byName(spans, "video_status.wait");
  assert.equal(
    wait.attributes["video_status.request.count"],
    byName(spans, "GET").length - 1,
  );
  assert.equal(clientSpans[0].attributes["http.request.method"], "POST");
  assert.equal(
    clientSpans.at(-1)!.attributes["http.response.status_code"],
    200,
  );
});

Deno.test("otelHooks() makes a step span per step, parent of its request's span", async () => {
  const { exporter, tracer } = memoryTracer();
  const { client, requests, clock } = setup([pending(), completed()], {
    hooks: otelHooks({ tracer }),
  });
  const first = await client.step("a1", { timeout: 60_000 });
  assert.equal(first.done, false);
  await clock.sleep(first.delay);
  const second = await client.step(JSON.parse(JSON.stringify(first.state)));
  assert.equal(second.done, true);
  const spans = exporter.getFinishedSpans();
  const steps = byName(spans, "video_status.step");
  assert.deepEqual(
    steps.map((span) => span.attributes),
    [1, 2].map((attempt) => ({
      "video_status.job.id": "a1",
      "video_status.dialect": "video-status",
      "video_status.strategy": "poll",
      "video_status.attempt": attempt,
      "video_status.outcome": attempt === 1 ? "pending" : "completed",
      "video_status.request.count": 1,
    })),
  );
  const gets = byName(spans, "GET");
  assert.equal(gets.length, 2);
  for (const [i, get] of gets.entries()) {
    assert.equal(get.parentSpanContext?.spanId, steps[i].spanContext().spanId);
    assert.equal(
      requests[i].headers.get("traceparent"),
      `00-${get.spanContext().traceId}-${get.spanContext().spanId}-01`,
    );
  }
});
