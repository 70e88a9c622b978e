import assert from "node:assert/strict";
import {
  type RetryEvent,
  VideoStatusClient,
  type VideoStatusClientOptions,
} from "../../mod.ts";
import { Secrets } from "../../client/secrets.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import {
  eventStream,
  hang,
  json,
  scriptedFetch,
  type Step,
} from "../../testing/scripted_fetch.ts";
import { seededRandom } from "../../util/random.ts";

/** Every text an error carries: messages, stacks and string fields, down its cause chain. */
function texts(thrown: unknown, depth = 0): string[] {
  if (depth > 10) return [];
  if (!(thrown instanceof Error)) return [String(thrown)];
  const fields = Object.values(thrown).filter((v) => typeof v === "string");
  return [
    String(thrown),
    thrown.message,
    thrown.stack ?? "",
    ...fields,
    ...(thrown.cause === undefined ? [] : texts(thrown.cause, depth + 1)),
  ];
}

/** A random secret-looking value of printable ASCII, often with a scheme word. */
function secret(random: () => number): string {
  const chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=!$%&*";
  let value = "";
  const length = 8 + Math.floor(random() * 32);
  for (let i = 0; i < length; i++) {
    value += chars[Math.floor(random() * chars.length)];
  }
  return random() < 0.5 ? `Bearer ${value}` : value;
}

/** The failure kinds a wait can meet, each as a script. */
const failures: Record<string, (values: string[], url: string) => Step[]> = {
  // As runtimes word them: Deno and Node quote the URL, some a header.
  "network error quoting the request": (values, url) => [
    Object.assign(
      new TypeError(`error sending request for url (${url}): ${values[0]}`, {
        cause: Object.assign(new Error(`refused ${values.join(" ")}`), {
          code: "ECONNREFUSED",
        }),
      }),
    ),
  ],
  "a thrown non-error": (values) => [
    (() => {
      throw `failed with ${values[1]}`;
    }) as unknown as Step,
  ],
  "server errors": () => [json({ error: "boom" }, { status: 500 })],
  "request timeouts": () => [hang],
  "a redirect to another origin": () => [
    new Response(null, {
      status: 302,
      headers: { location: "http://evil.test/" },
    }),
  ],
  "malformed answers": () => [json({ result: "finished" })],
  "a permanent HTTP error": () => [json({ error: "no" }, { status: 403 })],
  // The server's text goes into errors; a key it echoes must not.
  "a server echoing the key in its error answers": (values) => [
    json({ error: `bad key ${values[0]}` }, { status: 503 }),
    json({ error: `bad key ${values[1]}` }, { status: 401 }),
  ],
  "a server echoing the key in answers the client cannot read": (values) => [
    new Response(`<html>bad key ${values[0]}</html>`),
    json({ result: `key ${values[1]}` }),
  ],
  "event streams echoing the key": (values) => [
    eventStream(`event: status\ndata: not json ${values[0]}\n\n`),
    eventStream(`event: status\ndata: {"result": "${values[1]}"}\n\n`),
  ],
};

Deno.test("no configured header value appears in any error, cause or retry event, whatever fails (seeded)", async (t) => {
  const random = seededRandom(20261201);
  for (const [kind, script] of Object.entries(failures)) {
    await t.step(kind, async () => {
      for (let run = 0; run < 20; run++) {
        const values = [secret(random), secret(random)];
        const serverUrl = "http://api.test";
        const retries: RetryEvent[] = [];
        const options: VideoStatusClientOptions = {
          serverUrl,
          headers: { "x-api-key": values[0], authorization: values[1] },
          fetch: scriptedFetch(script(values, `${serverUrl}/status`)).fetch,
          clock: new FakeClock(),
          strategy: (["poll", "long-poll", "sse"] as const)[run % 3],
          maxRetries: 2,
          timeout: 120_000,
          onRetry: (event) => retries.push(event),
        };
        const client = new VideoStatusClient(options);
        const errors = [
          await client.getStatus().catch((e) => e),
          await client.createJob().catch((e) => e),
        ];
        const seen = [
          ...errors.flatMap((error) => texts(error)),
          ...retries.flatMap((event) => [event.url, ...texts(event.error)]),
        ].join("\n");
        for (const value of values) {
          for (const part of [value, ...value.split(" ").slice(1)]) {
            assert.ok(!seen.includes(part), `${kind} leaked ${part}:\n${seen}`);
          }
        }
      }
    });
  }
});

Deno.test("no password in a URL option appears in the error that refuses it (seeded)", () => {
  const random = seededRandom(7);
  for (let run = 0; run < 100; run++) {
    const password = secret(random).replace(/[^A-Za-z0-9]/g, "x");
    for (
      const url of [
        `http://user:${password}@api.test/`,
        `https://${password}@api.test`,
        `user:${password}@api.test`,
      ]
    ) {
      assert.throws(() => new VideoStatusClient({ serverUrl: url }), (e) => {
        assert.ok(e instanceof TypeError);
        assert.ok(!texts(e).join("\n").includes(password), e.message);
        return true;
      });
    }
  }
});

Deno.test("Secrets hides whole values and their words, and copies errors without other fields", () => {
  const secrets = new Secrets(
    new Headers({ authorization: "Bearer abcdefgh1234", "x-n": "1" }),
  );
  assert.equal(
    secrets.hide("sent Bearer abcdefgh1234, then abcdefgh1234 and 1"),
    "sent [redacted], then [redacted] and 1",
  );
  const original = Object.assign(
    new TypeError("bad abcdefgh1234", {
      cause: Object.assign(new Error("inner abcdefgh1234"), { code: "E1" }),
    }),
    { request: { headers: "abcdefgh1234" } },
  );
  const copy = secrets.copy(original) as TypeError & { cause: Error };
  assert.ok(copy instanceof TypeError);
  assert.notEqual(copy, original);
  assert.equal(copy.message, "bad [redacted]");
  assert.equal(copy.cause.message, "inner [redacted]");
  assert.equal((copy.cause as Error & { code: string }).code, "E1");
  assert.equal("request" in copy, false);
  assert.doesNotMatch(copy.stack ?? "", /abcdefgh1234/);
  assert.equal(secrets.copy("abcdefgh1234 leaked"), "[redacted] leaked");
});

Deno.test("a request that cannot be made ends the wait at once instead of being retried", async () => {
  // An event id no header can carry: sending it again cannot succeed.
  const { fetch, requests } = scriptedFetch([
    eventStream('id: \u2713\nevent: status\ndata: {"result":"pending"}\n\n'),
  ]);
  const retries: RetryEvent[] = [];
  const client = new VideoStatusClient({
    fetch,
    clock: new FakeClock(),
    strategy: "sse",
    onRetry: (event) => retries.push(event),
  });
  const error = await client.getStatus().catch((e) => e);
  assert.equal(error.name, "RequestError");
  assert.match(error.message, /^Cannot make the request: .*ByteString/);
  assert.equal(requests.length, 1);
  assert.equal(retries.length, 0);
});
