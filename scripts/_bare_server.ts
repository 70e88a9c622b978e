/**
 * The baseline of the throughput benchmark: a bare `Deno.serve` handler that
 * answers every request with the same status, headers and body bytes, given
 * as one JSON argument `{"status", "headers", "body"}`.
 *
 * @module
 */

if (import.meta.main) {
  const { status, headers, body } = JSON.parse(Deno.args[0] ?? "{}");
  const bytes = new TextEncoder().encode(body ?? "");
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ hostname, port }) =>
      console.log(`Listening on http://${hostname}:${port}`),
  }, () => new Response(bytes, { status, headers }));
}
