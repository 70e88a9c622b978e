import assert from "node:assert/strict";
import { authorize } from "../../simulator/auth.ts";
import { seededRandom } from "../../util/random.ts";

const KEYS = { header: { name: "authorization", scheme: "Bearer" } } as const;

/** A random key of visible ASCII characters, 12 to 40 long. */
function randomKey(random: () => number): string {
  const length = 12 + Math.floor(random() * 29);
  let key = "";
  for (let i = 0; i < length; i++) {
    key += String.fromCharCode(0x21 + Math.floor(random() * 94));
  }
  return key;
}

Deno.test("authorize() lets a request in exactly when it carries the key", async () => {
  const random = seededRandom(11);
  for (let run = 0; run < 500; run++) {
    const key = randomKey(random);
    // Half the time the sent key is the key with one character changed,
    // cut short or made longer: the near misses a timing attack walks through.
    const sent = random() < 0.5 ? key : nearMiss(key, random);
    const required = { ...KEYS, value: `Bearer ${key}` };
    const request = new Request("http://sim.test/status", {
      headers: { authorization: `Bearer ${sent}` },
    });
    const answer = authorize(request, required);
    assert.equal(answer === undefined, sent === key, `${key} / ${sent}`);
    if (answer === undefined) continue;
    assert.equal(answer.status, 401);
    const text = await answer.text();
    // A cut-short key may be a few characters that any text holds.
    const shown = [key, ...(sent.length >= 12 ? [sent] : [])];
    assert.ok(shown.every((secret) => !text.includes(secret)), text);
  }
});

function nearMiss(key: string, random: () => number): string {
  const at = Math.floor(random() * key.length);
  const choice = random();
  if (choice < 1 / 3) return key.slice(0, at);
  if (choice < 2 / 3) return key + "x";
  const other = key[at] === "a" ? "b" : "a";
  return key.slice(0, at) + other + key.slice(at + 1);
}

Deno.test("authorize() refuses a missing header and the key in another header", async () => {
  const required = { header: { name: "x-api-key" }, value: "k1" };
  const cases: Record<string, string>[] = [
    {},
    { authorization: "k1" },
    { "x-api-key": "" },
    { "x-api-key": "k2" },
  ];
  for (const headers of cases) {
    const answer = authorize(
      new Request("http://sim.test/", { headers }),
      required,
    );
    assert.equal(answer?.status, 401, JSON.stringify(headers));
    assert.equal(answer.headers.get("content-type"), "application/json");
    assert.match(
      answer.headers.get("www-authenticate") ?? "",
      /^ApiKey realm=/,
    );
    assert.deepEqual(await answer.json(), {
      error:
        "Cannot answer as the request must carry the API key in the 'x-api-key' header",
    });
  }
});
