// The benchmark's threads time one event on two clocks: a job turns final on
// the simulator's thread and a client learns it on its own. Each thread's
// clock is `performance.timeOrigin + performance.now()`, whose origin each
// thread takes for itself; on a busy machine the simulator's and a client's
// were once seen 3.5 ms apart, more than half the 5 ms latency target (the
// median latency came out negative). So the main thread measures each
// worker's offset,
// NTP style: it asks the worker's time and keeps the exchange with the least
// round trip, whose midpoint is off by at most half of it.

import { systemClock } from "../timing/clock.ts";

/** The message that asks a worker for its clock. */
export const CLOCK_PROBE = "clock-probe";

/** A worker's answer to {@linkcode CLOCK_PROBE}: its clock at that moment. */
export interface ClockReading {
  clock: number;
}

/** How far a worker's clock is ahead of this thread's, and how sure that is. */
export interface ClockOffset {
  /** Add to this thread's time to get the worker's; subtract to convert back. */
  offset: number;
  /** The round trip of the exchange it comes from: the offset is within half of it. */
  roundTrip: number;
}

/**
 * The worker's side: answers a probe with its clock.
 *
 * @returns Whether `data` was a probe (then nothing else is to be done).
 */
export function answerClockProbe(
  data: unknown,
  post: (message: ClockReading) => void,
): boolean {
  if (data !== CLOCK_PROBE) return false;
  post({ clock: systemClock.now() });
  return true;
}

/**
 * The main thread's side: `probes` exchanges through `ask`, which posts
 * {@linkcode CLOCK_PROBE} and resolves with the worker's answer. An offset
 * of more than 0.1 ms is told on stderr, naming the worker as `who`.
 */
export async function measureClockOffset(
  who: string,
  ask: () => Promise<ClockReading>,
  probes = 15,
): Promise<ClockOffset> {
  let best: ClockOffset = { offset: 0, roundTrip: Infinity };
  for (let probe = 0; probe < probes; probe++) {
    const sent = systemClock.now();
    const { clock } = await ask();
    const received = systemClock.now();
    const roundTrip = received - sent;
    if (roundTrip < best.roundTrip) {
      best = { offset: clock - (sent + received) / 2, roundTrip };
    }
  }
  if (Math.abs(best.offset) > 0.1) {
    console.error(
      `The clock of ${who} is ${
        best.offset.toFixed(2)
      } ms off this thread's (± ${
        (best.roundTrip / 2).toFixed(2)
      } ms): corrected`,
    );
  }
  return best;
}
