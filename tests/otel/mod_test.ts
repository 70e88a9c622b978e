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
import { isTimeoutError } from "../../mod.ts";
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
