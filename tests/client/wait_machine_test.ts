import assert from "node:assert/strict";
import { HTTPError } from "../../client/errors/mod.ts";
import { resolveOptions } from "../../client/settings.ts";
import type { Heard } from "../../client/transport.ts";
import {
  startPosition,
  WaitMachine,
  type WaitPosition,
} from "../../client/wait_machine.ts";
import type { VideoStatus } from "../../protocol/status.ts";
import { seededRandom } from "../../util/random.ts";

const URL = "http://jobs.test/jobs/j1";

/**
 * Drives a machine through a random wait, on a clock it moves by hand, and
 * logs every decision. With `restore`, the machine is replaced at random
 * points by one made from a JSON copy of its position.
 */
function drive(seed: number, restore: boolean): string[] {
  let now = 1_000_000;
  const clock = { now: () => now, sleep: () => Promise.resolve() };
  const events = seededRandom(seed);
  const cuts = seededRandom(seed + 1);
  const settings = resolveOptions({
    clock,
    random: seededRandom(seed + 2),
    jitter: 0.3,
    maxRetries: 3,
    minDelay: 100,
  });
  const log: string[] = [];
  const hooks = {
    onUpdate: (u: { result: string; nextDelay?: number }) =>
      log.push(`update ${u.result} ${u.nextDelay}`),
    safetyNet: false,
  };
  const target = { url: URL, startedAt: now - 500, jobId: "j1" };
  let machine = new WaitMachine(
    settings,
    startPosition(now, target, 20_000),
    hooks,
  );
  const heard = (result: VideoStatus, retryAfter?: number): Heard => ({
    result,
    status: result,
    payload: {},
    body: { result },
    source: "poll",
    sentAt: now,
    receivedAt: now,
    streaming: false,
    held: false,
    retryAfter,
  });
  try {
    for (let i = 0; i < 40; i++) {
      const pause = machine.pause();
      log.push(`pause ${pause}`);
      now += pause;
      machine.checkDeadline();
      machine.attempt();
      machine.sending();
      now += Math.floor(events() * 300);
      const roll = events();
      if (roll < 0.4) machine.hear(heard("pending"));
      else if (roll < 0.5) machine.hear(heard("pending", 1500));
      else if (roll < 0.7) machine.fail(new TypeError("reset"), undefined);
      else if (roll < 0.8) {
        const answer = new Response(null, { status: 429 });
        machine.fail(new HTTPError(answer, "GET", URL), undefined);
      } else if (roll < 0.83) machine.hear(heard("completed"));
      else machine.hear(heard("pending"));
      if (machine.final !== undefined) break;
      if (restore && cuts() < 0.5) {
        const saved: WaitPosition = JSON.parse(
          JSON.stringify(machine.position()),
        );
        machine = new WaitMachine(settings, saved, hooks);
      }
    }
    log.push(`end ${machine.final?.result}`);
  } catch (error) {
    log.push(`thrown ${(error as Error).message}`);
  }
  return log;
}

Deno.test("a machine made from a JSON copy of another's position decides as that one would", () => {
  const ends = new Set<string>();
  for (let seed = 1; seed <= 200; seed++) {
    const expected = drive(seed, false);
    assert.deepEqual(drive(seed, true), expected, `seed ${seed}`);
    ends.add(expected.at(-1)!.split(" ").slice(0, 2).join(" "));
  }
  // The random waits end every way a machine ends them.
  assert.deepEqual([...ends].sort(), [
    "end completed",
    "thrown Gave",
    "thrown Wait",
  ]);
});

Deno.test("a position is plain JSON and a copy, not the machine's own", () => {
  const now = 5_000;
  const settings = resolveOptions({
    clock: { now: () => now, sleep: () => Promise.resolve() },
  });
  const position = startPosition(
    now,
    { url: URL, startedAt: undefined },
    60_000,
  );
  assert.deepEqual(position, JSON.parse(JSON.stringify(position)));
  assert.equal(position.deadline, 65_000);
  assert.equal(position.startKnown, false);
  const machine = new WaitMachine(settings, position, {
    onUpdate: undefined,
    safetyNet: false,
  });
  machine.attempt();
  assert.equal(position.attempts, 0);
  const copy = machine.position();
  copy.attempts = 99;
  assert.equal(machine.position().attempts, 1);
});
