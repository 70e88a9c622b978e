// Type-checked, never run: scripts/test_npm.ts runs `tsc -p
// tsconfig.browser.json` on this file in the scratch project: a browser
// project (the DOM library, no Node types) using the client and the testing
// entry. The server entry is Node-, Deno- and Bun-only.
import {
  type AllowedOrigin,
  type HeaderValues,
  isRequestError,
  VideoStatusClient,
} from "video-status-client";
import { FakeClock, json, scriptedFetch } from "video-status-client/testing";

export async function waitInBrowser(): Promise<string> {
  const headers: HeaderValues = new Headers({ "x-api-key": "key" });
  const status: AllowedOrigin = { origin: "https://status.test" };
  const { fetch } = scriptedFetch([json({ result: "completed" })]);
  const client = new VideoStatusClient({
    serverUrl: "https://api.test",
    headers,
    allowedOrigins: [status],
    fetch,
    clock: new FakeClock(),
  });
  try {
    return await client.getStatus();
  } catch (error) {
    if (isRequestError(error)) return error.message;
    throw error;
  }
}
