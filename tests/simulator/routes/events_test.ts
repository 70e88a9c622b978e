import assert from "node:assert/strict";
import { createSimulator } from "../../../server.ts";
import { FakeClock, settle } from "../../../testing/fake_clock.ts";
import { BASE, createJob } from "../_requests.ts";

const decoder = new TextDecoder();

/** Reads what a stream has delivered so far, without waiting for more. */
class StreamReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  text = "";
  done = false;

  constructor(response: Response) {
    this.#reader = response.body!.getReader();
  }

  /** Collects every chunk available after the event loop settles. */
  async drain(): Promise<string> {
    for (;;) {
      this.#pending ??= this.#reader.read();
      let result: ReadableStreamReadResult<Uint8Array> | undefined;
      this.#pending.then((value) => result = value);
      await settle();
      if (result === undefined) return this.text;
      this.#pending = undefined;
      if (result.done) {
        this.done = true;
        return this.text;
      }
      this.text += decoder.decode(result.value);
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}

Deno.test("GET /jobs/{id}/events streams the status at once, then the change, then closes", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const id = await createJob(simulator, { duration: 3, outcome: "completed" });
  const response = await simulator.fetch(
    new Request(`${BASE}/jobs/${id}/events`),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  const reader = new StreamReader(response);
  assert.equal(
    await reader.drain(),
    `event: status\ndata: {"id":"${id}","result":"pending"}\n\n`,
  );
  assert.equal(simulator.stats().held, 1);
  await clock.tick(3_000);
  await reader.drain();
  assert.equal(
    reader.text,
    `event: status\ndata: {"id":"${id}","result":"pending"}\n\n` +
      `event: status\ndata: {"id":"${id}","result":"completed"}\n\n`,
  );
  assert.equal(reader.done, true);
  assert.equal(simulator.stats().held, 0);
  assert.equal(clock.timers, 0);
});

Deno.test("GET /status/events streams the default job", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({
    clock,
    minDuration: 2_000,
    maxDuration: 2_000,
    errorRate: 1,
  });
  const response = await simulator.fetch(new Request(`${BASE}/status/events`));
  const reader = new StreamReader(response);
  await clock.tick(2_000);
  await reader.drain();
  assert.equal(
    reader.text,
    'event: status\ndata: {"result":"pending"}\n\n' +
      'event: status\ndata: {"result":"error"}\n\n',
  );
  assert.equal(reader.done, true);
});

Deno.test("a final job's stream has one event and closes", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const id = await createJob(simulator, { duration: 0, outcome: "error" });
  const response = await simulator.fetch(
    new Request(`${BASE}/jobs/${id}/events`),
  );
  assert.equal(
    await response.text(),
    `event: status\ndata: {"id":"${id}","result":"error"}\n\n`,
  );
  assert.equal(simulator.stats().held, 0);
});

Deno.test("idle streams get heartbeat comments from one shared timer", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, heartbeatInterval: 1_000 });
  const id = await createJob(simulator, {
    duration: 2.5,
    outcome: "completed",
  });
  const readers = await Promise.all([1, 2, 3].map(async () =>
    new StreamReader(
      await simulator.fetch(new Request(`${BASE}/jobs/${id}/events`)),
    )
  ));
  for (const reader of readers) await reader.drain();
  assert.equal(clock.timers, 1);
  await clock.tick(2_500);
  for (const reader of readers) {
    await reader.drain();
    assert.equal(reader.text.split(": heartbeat\n\n").length - 1, 2);
    assert.ok(reader.text.endsWith(`"result":"completed"}\n\n`));
    assert.equal(reader.done, true);
  }
  assert.equal(clock.timers, 0);
});

Deno.test("a cancelled or aborted stream releases everything", async (t) => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock });
  const id = await createJob(simulator, { duration: 60 });
  await t.step("reader cancels", async () => {
    const reader = new StreamReader(
      await simulator.fetch(new Request(`${BASE}/jobs/${id}/events`)),
    );
    await reader.drain();
    assert.equal(simulator.stats().held, 1);
    await reader.cancel();
    assert.equal(simulator.stats().held, 0);
    assert.equal(clock.timers, 0);
  });
  await t.step("request signal aborts", async () => {
    const controller = new AbortController();
    const reader = new StreamReader(
      await simulator.fetch(
        new Request(`${BASE}/jobs/${id}/events`, { signal: controller.signal }),
      ),
    );
    await reader.drain();
    controller.abort();
    await reader.drain();
    assert.equal(reader.done, true);
    assert.equal(simulator.stats().held, 0);
    assert.equal(clock.timers, 0);
  });
});

Deno.test("close() ends every open stream", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const simulator = createSimulator({ clock });
  const reader = new StreamReader(
    await simulator.fetch(new Request(`${BASE}/status/events`)),
  );
  await reader.drain();
  await simulator.close();
  await reader.drain();
  assert.equal(reader.done, true);
  assert.equal(clock.timers, 0);
});

Deno.test("events of an unknown job answer 404", async () => {
  await using simulator = createSimulator({
    clock: new FakeClock({ autoAdvance: false }),
  });
  const response = await simulator.fetch(
    new Request(`${BASE}/jobs/nope/events`),
  );
  assert.equal(response.status, 404);
  assert.match((await response.json()).error, /Cannot find job 'nope'/);
});

Deno.test("beyond maxHeld a stream answers 503", async () => {
  const clock = new FakeClock({ autoAdvance: false });
  await using simulator = createSimulator({ clock, maxHeld: 1 });
  const open = new StreamReader(
    await simulator.fetch(new Request(`${BASE}/status/events`)),
  );
  const refused = await simulator.fetch(new Request(`${BASE}/status/events`));
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "1");
  await refused.body?.cancel();
  await open.cancel();
});
