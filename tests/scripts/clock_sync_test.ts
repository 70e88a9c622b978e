import assert from "node:assert/strict";
import {
  answerClockProbe,
  CLOCK_PROBE,
  type ClockReading,
  measureClockOffset,
} from "../../scripts/_clock_sync.ts";
import { systemClock } from "../../timing/clock.ts";

Deno.test("measureClockOffset() finds a worker's offset within half the least round trip", async () => {
  for (const offset of [-3.5, 0, 0.25, 12]) {
    let answers = 0;
    // A worker whose clock is `offset` ahead, answering at once or a little late.
    const ask = async (): Promise<ClockReading> => {
      await new Promise((resolve) => setTimeout(resolve, answers++ % 3));
      const reading: ClockReading[] = [];
      answerClockProbe(CLOCK_PROBE, (answer) => reading.push(answer));
      return { clock: reading[0].clock + offset };
    };
    const measured = await measureClockOffset("a test worker", ask, 6);
    assert.equal(answers, 6);
    assert.ok(
      Math.abs(measured.offset - offset) <= measured.roundTrip / 2,
      `${JSON.stringify(measured)} for ${offset}`,
    );
  }
});

Deno.test("answerClockProbe() answers a probe with this thread's clock and nothing else", () => {
  const posted: ClockReading[] = [];
  const before = systemClock.now();
  assert.equal(
    answerClockProbe("books", (reading) => posted.push(reading)),
    false,
  );
  assert.equal(
    answerClockProbe({ strategy: "sse" }, (r) => posted.push(r)),
    false,
  );
  assert.equal(posted.length, 0);
  assert.equal(answerClockProbe(CLOCK_PROBE, (r) => posted.push(r)), true);
  assert.equal(posted.length, 1);
  assert.ok(posted[0].clock >= before && posted[0].clock <= systemClock.now());
});
