import assert from "node:assert/strict";
import {
  createRedisBudget,
  createRedisLearning,
  createRedisWebhookSource,
} from "../../redis/mod.ts";

// Every Redis-backed part refuses a URL that is not Redis's, and a name
// that is empty, before it opens anything, and never shows a password.
const parts: [string, (url: unknown, name: unknown) => unknown][] = [
  ["createRedisBudget", (url, key) =>
    createRedisBudget({
      url: url as string,
      key: key as string,
      maxRequestsPerSecond: 10,
    })],
  [
    "createRedisLearning",
    (url, key) =>
      createRedisLearning({ url: url as string, key: key as string }),
  ],
  ["createRedisWebhookSource", (url, prefix) =>
    createRedisWebhookSource({
      url: url as string,
      prefix: prefix as string,
    })],
];

Deno.test("a Redis part refuses a URL that is not Redis's, without showing its password", () => {
  for (const [name, create] of parts) {
    for (
      const url of [
        "http://user:hunter2@127.0.0.1:6379",
        "not a url",
        "",
        42,
        undefined,
      ]
    ) {
      assert.throws(
        () => create(url, "k"),
        (error: unknown) =>
          error instanceof TypeError &&
          /'url' must be a redis:\/\/ or rediss:\/\/ URL/.test(error.message) &&
          !error.message.includes("hunter2"),
        `${name}(${String(url)})`,
      );
    }
  }
});

Deno.test("a Redis part refuses an empty key or prefix", () => {
  for (const [name, create] of parts) {
    for (const value of ["", 7, null]) {
      assert.throws(
        () => create("redis://127.0.0.1:1", value),
        /must be a non-empty string/,
        `${name}(${String(value)})`,
      );
    }
  }
});
