// Smoke test of the built package's `./otel` entry under Node.js and Bun:
// with the optional peer `@opentelemetry/api` and an SDK installed beside
// it, a wait on the simulator makes its spans and sends `traceparent`; the
// CommonJS build loads too. Runs from an installed copy (scripts/test_npm.ts).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { VideoStatusClient } from "video-status-client";
import { otelHooks } from "video-status-client/otel";
import { serve } from "video-status-client/server";

describe("video-status-client/otel", () => {
  let server;

  before(async () => {
    server = await serve({ port: 0 });
  });

  after(async () => {
    await server.shutdown();
  });

  test("a wait makes one span with a child per request, each request carrying its traceparent", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const sent = [];
    const client = new VideoStatusClient({
      serverUrl: server.url,
      strategy: "poll",
      initialDelay: 50,
      maxDelay: 100,
      hooks: otelHooks({ tracer: provider.getTracer("npm-test") }),
      fetch: (input, init) => {
        sent.push(new Headers(init?.headers).get("traceparent"));
        return fetch(input, init);
      },
    });
    const job = await client.createJob({ duration: 200, outcome: "completed" });
    const final = await client.waitForJob(job, { timeout: 10_000 });
    assert.equal(final.result, "completed");
    const spans = exporter.getFinishedSpans();
    const wait = spans.find((span) => span.name === "video_status.wait");
    const gets = spans.filter((span) => span.name === "GET");
    assert.ok(gets.length >= 1);
    assert.equal(wait.attributes["video_status.request.count"], gets.length);
    for (const span of gets) {
      assert.equal(span.parentSpanContext?.spanId, wait.spanContext().spanId);
      const { traceId, spanId } = span.spanContext();
      assert.ok(sent.includes(`00-${traceId}-${spanId}-01`));
    }
  });

  test("the CommonJS build of the entry loads", () => {
    const require = createRequire(import.meta.url);
    assert.equal(
      typeof require("video-status-client/otel").otelHooks,
      "function",
    );
  });
});
