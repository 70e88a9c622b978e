import assert from "node:assert/strict";
import { route } from "../../simulator/router.ts";
import { type DialectName, jobUrl, PRESETS } from "../../mod.ts";
import { seededRandom } from "../../util/random.ts";

const BASE = "http://sim.test";
const ID_CHARS = "abcXYZ019-_.~ %/?#&=é";

function randomId(random: () => number): string {
  let id = "";
  const length = 1 + Math.floor(random() * 12);
  for (let i = 0; i < length; i++) {
    id += ID_CHARS[Math.floor(random() * ID_CHARS.length)];
  }
  // "." and ".." have no path of their own (jobPath refuses them).
  return id === "." || id === ".." ? `${id}x` : id;
}

Deno.test("route() finds every job at its dialect's path, and its events", () => {
  const random = seededRandom(11);
  for (const name of Object.keys(PRESETS) as DialectName[]) {
    const dialect = PRESETS[name];
    for (let run = 0; run < 200; run++) {
      const id = randomId(random);
      const url = new URL(jobUrl(BASE, dialect, id));
      assert.deepEqual(route(url, dialect, false), {
        kind: "job",
        id,
        allow: "GET, HEAD, OPTIONS",
      }, `${name}: ${url}`);
      const events = new URL(url);
      events.pathname += "/events";
      assert.equal(route(events, dialect, false)?.kind, "job-events");
      assert.equal(route(events, dialect, false)?.id, id);
      assert.equal(route(events, dialect, true), undefined);
    }
  }
});

Deno.test("route() creates at /jobs in every dialect, and at its create path", () => {
  for (const dialect of Object.values(PRESETS)) {
    const at = (path: string) => route(new URL(BASE + path), dialect, false);
    assert.deepEqual(at("/jobs"), { kind: "jobs", allow: "POST, OPTIONS" });
    if (dialect.createPath !== undefined) {
      assert.equal(at(dialect.createPath)?.kind, "jobs", dialect.name);
    }
    assert.equal(at("/status")?.kind, "status");
    assert.equal(at("/status/events")?.kind, "status-events");
  }
});

Deno.test("route() serves /status/{id} and /status?job_id={id} in the seed dialect only", () => {
  const seed = PRESETS["video-status"];
  const at = (path: string, dialect = seed) =>
    route(new URL(BASE + path), dialect, false);
  assert.deepEqual(at("/status/a%20b"), {
    kind: "job",
    id: "a b",
    allow: "GET, HEAD, OPTIONS",
  });
  assert.equal(at("/status?job_id=a1")?.id, "a1");
  assert.equal(at("/status?job_id=")?.id, "");
  assert.equal(at("/status?page=2")?.kind, "status");
  assert.equal(at("/status/a1/more"), undefined);
  for (const name of ["replicate", "azure-operation"] as const) {
    assert.equal(at("/status/a1", PRESETS[name]), undefined);
    assert.equal(at("/status?job_id=a1", PRESETS[name])?.kind, "status");
    assert.equal(at("/jobs/a1", PRESETS[name]), undefined);
  }
});
