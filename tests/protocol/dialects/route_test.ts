import assert from "node:assert/strict";
import { jobRoute, jobUrl } from "../../../protocol/dialects/route.ts";

const at = (path: string): URL => new URL(path, "http://localhost");

Deno.test("jobRoute() with the id as a path segment", async (t) => {
  const route = jobRoute("/v1/predictions/{id}");
  await t.step("encodes the id and decodes it back", () => {
    for (const id of ["p1", "a b", "a/b", "ü?#%"]) {
      assert.equal(route.jobId(at(route.jobPath(id))), id, id);
    }
    assert.equal(route.jobPath("a/b"), "/v1/predictions/a%2Fb");
  });
  await t.step("matches no other path", () => {
    for (
      const path of [
        "/v1/predictions/",
        "/v1/predictions",
        "/v1/predictions/p1/cancel",
        "/v2/predictions/p1",
        "/x/v1/predictions/p1",
        "/v1/predictions/%E0%A4%A",
      ]
    ) assert.equal(route.jobId(at(path)), undefined, path);
  });
  await t.step("with text after the id", () => {
    const events = jobRoute("/jobs/{id}/events");
    assert.equal(events.jobId(at("/jobs/j1/events")), "j1");
    assert.equal(events.jobId(at("/jobs//events")), undefined);
    assert.equal(events.jobId(at("/jobs/a/b/events")), undefined);
  });
});

Deno.test("jobRoute() with the id as a query value", () => {
  const route = jobRoute("/status?v=2&job_id={id}");
  assert.equal(route.jobPath("a b&c"), "/status?v=2&job_id=a+b%26c");
  assert.equal(route.jobId(at(route.jobPath("a b&c"))), "a b&c");
  assert.equal(route.jobId(at("/status?job_id=j1&v=2")), "j1");
  for (
    const path of [
      "/status?v=2",
      "/status?v=2&job_id=",
      "/status?v=3&job_id=j1",
      "/other?v=2&job_id=j1",
    ]
  ) {
    assert.equal(route.jobId(at(path)), undefined, path);
  }
});

Deno.test("jobRoute() rejects a template without exactly one {id} after a /", () => {
  for (const template of ["/jobs", "/jobs/{id}/{id}", "jobs/{id}", "", 5]) {
    assert.throws(() => jobRoute(template as string), {
      name: "TypeError",
      message:
        /^Cannot create the job route as 'jobPath' must be a path starting with "\/" with \{id\} exactly once: current value is /,
    });
  }
});

Deno.test("jobUrl() appends the path to the base's and merges the queries", () => {
  const route = jobRoute("/jobs/{id}");
  assert.equal(jobUrl("http://h:5000", route, "a1"), "http://h:5000/jobs/a1");
  assert.equal(jobUrl("http://h/api/", route, "a1"), "http://h/api/jobs/a1");
  assert.equal(
    jobUrl(new URL("http://u:p@h/api?key=k"), route, "a/1"),
    "http://u:p@h/api/jobs/a%2F1?key=k",
  );
  const query = jobRoute("/v1/video_status.get?video_id={id}");
  assert.equal(
    jobUrl("https://api.heygen.com", query, "v 1"),
    "https://api.heygen.com/v1/video_status.get?video_id=v+1",
  );
});

Deno.test("jobRoute() refuses an id no URL can hold", () => {
  const segment = jobRoute("/jobs/{id}");
  const query = jobRoute("/status?job_id={id}");
  const message =
    /^Cannot build the status path as 'id' must be a non-empty string other than "\." and "\.\.": current value is /;
  for (const id of ["", ".", ".."]) {
    assert.throws(() => segment.jobPath(id), { name: "TypeError", message });
  }
  assert.throws(() => query.jobPath(""), { name: "TypeError", message });
  assert.throws(() => segment.jobPath(5 as unknown as string), TypeError);
  // In a query, dots are an id like any other.
  assert.equal(query.jobId(new URL(query.jobPath(".."), "http://h")), "..");
  assert.equal(
    segment.jobId(new URL(segment.jobPath("..."), "http://h")),
    "...",
  );
});
