// The conformance table: requests and the answers every way of serving the
// simulator must give them (the pure handler, the Deno adapter and the
// Node.js adapter). A row's `handler` answer, where given, is the pure
// handler's: the adapters refuse some requests before any handler sees them.

import type { SimulatorOptions } from "../../server.ts";

/** What an answer must be. */
export interface Expected {
  /** The status code. */
  readonly status: number;
  /** Headers that must have these values (a RegExp must match). */
  readonly headers?: Readonly<Record<string, string | RegExp>>;
  /** The body parsed as JSON must equal this. */
  readonly json?: unknown;
  /** The body must be `{"error": …}` with a message matching this. */
  readonly error?: RegExp;
  /** The body must be exactly this text. */
  readonly text?: string;
  /** The body must not be longer than this many characters. */
  readonly maxBodyLength?: number;
}

/** One request of the table and the answer it must get. */
export interface Row {
  readonly name: string;
  readonly method: string;
  /** The request target as sent on the wire. */
  readonly target: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** What the adapters answer over a socket. */
  readonly expected: Expected;
  /**
   * What the pure handler answers, when it differs (`"skip"`: a `Request`
   * cannot even be built from this request).
   */
  readonly handler?: Expected | "skip";
  /** The simulator's options for this row, when not {@linkcode TABLE_SIMULATOR}. */
  readonly simulator?: SimulatorOptions;
}

/** The options of the simulator the table runs against. */
export const TABLE_SIMULATOR = {
  minDuration: 0,
  maxDuration: 0,
  errorRate: 0,
  maxWait: 2_000,
  seed: 1,
} as const;

const JSON_TYPE = { "content-type": "application/json" };
const API = {
  ...JSON_TYPE,
  "cache-control": "no-store",
  "access-control-allow-origin": "*",
};
const COMPLETED = { result: "completed" };
const KEY = "sk-table-key";
/** A simulator speaking OpenAI's dialect, requiring a key. */
const OPENAI = { ...TABLE_SIMULATOR, dialect: "openai-video", apiKey: KEY };
/** A simulator speaking Azure's dialect, requiring a key. */
const AZURE = { ...TABLE_SIMULATOR, dialect: "azure-operation", apiKey: KEY };
const BEARER = { authorization: `Bearer ${KEY}` };
const DEEP = "[".repeat(5_000) + "]".repeat(5_000);

/** A GET of the job 'nope', which no simulator of the table has. */
function unknownJob(
  name: string,
  target: string,
  more: Pick<Row, "headers" | "simulator"> = {},
): Row {
  return {
    name,
    method: "GET",
    target,
    ...more,
    expected: { status: 404, headers: API, error: /job 'nope'/ },
  };
}

/** The table. */
export const ROWS: readonly Row[] = [
  {
    name: "GET /status answers the status",
    method: "GET",
    target: "/status",
    expected: { status: 200, headers: API, json: COMPLETED },
  },
  {
    name: "HEAD /status tells the GET body's length and sends none",
    method: "HEAD",
    target: "/status",
    expected: {
      status: 200,
      headers: { ...API, "content-length": "22" },
      text: "",
    },
  },
  {
    name: "//status is a path, not a host",
    method: "GET",
    target: "//status",
    expected: { status: 404, headers: API, error: /path '\/\/status'/ },
  },
  {
    name: "dot segments are resolved as a URL resolves them",
    method: "GET",
    target: "/jobs/../status",
    expected: { status: 200, headers: API, json: COMPLETED },
  },
  {
    name: "an unknown path is 404",
    method: "GET",
    target: "/nope",
    expected: { status: 404, headers: API, error: /path '\/nope'/ },
  },
  unknownJob("an unknown job is 404", "/jobs/nope"),
  {
    name: "POST /status is 405 with Allow",
    method: "POST",
    target: "/status",
    headers: { "content-length": "0" },
    expected: {
      status: 405,
      headers: { ...API, allow: "GET, HEAD, OPTIONS" },
      error: /Cannot POST '\/status' as it allows GET, HEAD, OPTIONS/,
    },
  },
  {
    name: "PATCH /jobs is 405 with Allow",
    method: "PATCH",
    target: "/jobs",
    headers: { "content-length": "0" },
    expected: {
      status: 405,
      headers: { ...API, allow: "POST, OPTIONS" },
      error: /Cannot PATCH/,
    },
  },
  {
    name: "OPTIONS answers a preflight",
    method: "OPTIONS",
    target: "/status",
    headers: { "access-control-request-headers": "prefer, x-api-key" },
    expected: {
      status: 204,
      headers: {
        "access-control-allow-headers": "prefer, x-api-key",
        "access-control-allow-methods": "GET, HEAD, OPTIONS",
      },
      text: "",
    },
  },
  {
    name: "Prefer: wait= with 11 digits is capped, not ignored",
    method: "GET",
    target: "/status",
    headers: { prefer: "wait=99999999999" },
    expected: {
      status: 200,
      headers: { ...API, "preference-applied": "wait=2" },
      json: COMPLETED,
    },
  },
  {
    name: "POST /jobs creates a scripted job",
    method: "POST",
    target: "/jobs",
    body: '{"duration":0,"outcome":"error"}',
    expected: {
      status: 201,
      headers: { ...API, location: /^\/jobs\/\w+$/ },
    },
  },
  {
    name: "POST /jobs refuses a body nested 5,000 levels deep with 400",
    method: "POST",
    target: "/jobs",
    body: DEEP,
    expected: { status: 400, headers: API, error: /nest deeper than 32/ },
  },
  {
    name: "POST /jobs refuses malformed JSON",
    method: "POST",
    target: "/jobs",
    body: "{",
    expected: { status: 400, headers: API, error: /valid JSON/ },
  },
  {
    name: "POST /jobs refuses a body over the cap with 413",
    method: "POST",
    target: "/jobs",
    body: " ".repeat(70_000),
    expected: { status: 413, headers: API, error: /must not exceed 65536/ },
  },
  {
    name: "GET /status/events streams the final status and ends",
    method: "GET",
    target: "/status/events",
    expected: {
      status: 200,
      headers: { "content-type": "text/event-stream" },
      text: 'event: status\ndata: {"result":"completed"}\n\n',
    },
  },
  {
    name: "HEAD /status/events opens no stream",
    method: "HEAD",
    target: "/status/events",
    expected: {
      status: 200,
      headers: { "content-type": "text/event-stream" },
      text: "",
    },
  },
  {
    name: "a method HTTP does not know is 400 (the handler: 405)",
    method: "FOO",
    target: "/status",
    expected: { status: 400 },
    handler: {
      status: 405,
      headers: { ...API, allow: "GET, HEAD, OPTIONS" },
      error: /Cannot FOO/,
    },
  },
  {
    name: "a 10,000-character method is never echoed back whole",
    method: "X".repeat(10_000),
    target: "/status",
    expected: { status: 400, maxBodyLength: 200 },
    handler: { status: 405, error: /^Cannot X+\.\.\. '/, maxBodyLength: 200 },
  },
  {
    name: "a request head over 16 KiB is 431",
    method: "GET",
    target: "/status",
    headers: { "x-big": "x".repeat(20_000) },
    expected: { status: 431 },
    handler: { status: 200, json: COMPLETED },
  },
  {
    name: "TRACE is refused with 400",
    method: "TRACE",
    target: "/status",
    expected: { status: 400 },
    handler: "skip",
  },
  unknownJob(
    "GET /status/{id} of an unknown job is 404, never the default job",
    "/status/nope",
  ),
  unknownJob(
    "GET /status?job_id= of an unknown job is 404",
    "/status?job_id=nope",
  ),
  unknownJob(
    "a dialect's job path is its status path (an unknown job is 404)",
    "/v1/videos/nope",
    { headers: BEARER, simulator: OPENAI },
  ),
  {
    name: "a dialect does not serve the seed's job path",
    method: "GET",
    target: "/jobs/nope",
    headers: BEARER,
    simulator: OPENAI,
    expected: { status: 404, headers: API, error: /path '\/jobs\/nope'/ },
  },
  {
    name: "POST at a dialect's create path creates a job at its job path",
    method: "POST",
    target: "/v1/videos",
    headers: BEARER,
    body: '{"duration":0,"outcome":"canceled"}',
    simulator: OPENAI,
    expected: {
      status: 201,
      headers: { ...API, location: /^\/v1\/videos\/\w+$/ },
    },
  },
  {
    name: "POST /jobs tells the job's status path as the dialect's header too",
    method: "POST",
    target: "/jobs",
    headers: BEARER,
    body: '{"duration":0}',
    simulator: AZURE,
    expected: {
      status: 201,
      headers: {
        ...API,
        "location": /^\/operations\/\w+$/,
        "operation-location": /^\/operations\/\w+$/,
        "access-control-expose-headers": /, operation-location$/,
      },
    },
  },
  {
    name: "without the key a request is 401, naming the header, not the key",
    method: "GET",
    target: "/status",
    simulator: OPENAI,
    expected: {
      status: 401,
      headers: { ...API, "www-authenticate": /^Bearer / },
      error:
        /^Cannot answer as the request must carry the API key in the 'authorization' header as "Bearer KEY"$/,
    },
  },
  {
    name: "with a wrong key a request is 401",
    method: "GET",
    target: "/status",
    headers: { authorization: `Bearer ${KEY}x` },
    simulator: OPENAI,
    expected: { status: 401, headers: API, error: /'authorization' header/ },
  },
  {
    name: "a preflight needs no key",
    method: "OPTIONS",
    target: "/v1/videos/x",
    simulator: OPENAI,
    expected: { status: 204, text: "" },
  },
];
