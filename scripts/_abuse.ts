// The loads of the scale benchmark's abuse run, all over loopback and all
// ended by one signal: connections that stay idle, connections that trickle
// a request head (slowloris), both reconnecting whenever the server closes
// them, and steady keep-alive traffic whose latencies are recorded; and the
// run itself, against a simulator process with few descriptors.

import { spawnServer } from "./_spawn_server.ts";
import { mebibytes, ms, percentile } from "./_stats.ts";

const encoder = new TextEncoder();
const REQUEST = encoder.encode("GET /status HTTP/1.1\r\nHost: bench\r\n\r\n");

/** What the idle or slow connections did. */
export interface AttackResult {
  /** Connections opened, reconnects included. */
  readonly opened: number;
  /** Of those, the ones the server closed. */
  readonly closedByServer: number;
}

/** Opens a connection, or `undefined` once `signal` aborts or it fails. */
async function open(
  port: number,
  signal: AbortSignal,
): Promise<Deno.TcpConn | undefined> {
  try {
    return await Deno.connect({ port, hostname: "127.0.0.1", signal });
  } catch {
    return undefined;
  }
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}

/**
 * Keeps `count` connections open, each sending nothing at all (`"idle"`) or
 * one request-head byte per second (`"slow"`), until `signal` aborts.
 */
export async function attack(
  port: number,
  count: number,
  kind: "idle" | "slow",
  signal: AbortSignal,
): Promise<AttackResult> {
  let opened = 0;
  let closedByServer = 0;
  const trickling = new Set<Deno.Conn>();
  const head = encoder.encode(
    "GET /status HTTP/1.1\r\nHost: bench\r\nX-Slow: ",
  );
  const byte = encoder.encode("a");
  const trickle = setInterval(() => {
    for (const conn of trickling) {
      conn.write(byte).catch(() => trickling.delete(conn));
    }
  }, 1_000);
  const one = async (): Promise<void> => {
    while (!signal.aborted) {
      const conn = await open(port, signal);
      if (conn === undefined) {
        // Refused or out of backlog: try again a little later.
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      opened++;
      const onAbort = (): void => close(conn);
      signal.addEventListener("abort", onAbort, { once: true });
      if (kind === "slow") {
        await conn.write(head).catch(() => {});
        trickling.add(conn);
      }
      const buffer = new Uint8Array(1_024);
      try {
        while ((await conn.read(buffer)) !== null) { /* an error answer */ }
      } catch {
        // Reset, or closed here on abort.
      }
      trickling.delete(conn);
      signal.removeEventListener("abort", onAbort);
      if (!signal.aborted) {
        closedByServer++;
        close(conn);
      }
    }
  };
  await Promise.all(Array.from({ length: count }, one));
  clearInterval(trickle);
  return { opened, closedByServer };
}

/** What the steady traffic measured. */
export interface TrafficResult {
  /** Each answered request's latency in ms, sorted. */
  readonly latencies: number[];
  /** Requests that failed (connection lost, non-200 answer). */
  readonly errors: number;
}

/**
 * A client's pool of keep-alive connections, as `fetch` or `wrk` keep one:
 * its connections outlive each run of traffic, and one is opened again only
 * after a failure (a new connection's wait counts in that request's latency).
 */
export class TrafficPool {
  #port: number;
  #conns: (Deno.TcpConn | undefined)[];

  constructor(port: number, connections: number) {
    this.#port = port;
    this.#conns = Array.from({ length: connections }, () => undefined);
  }

  /** Sends `GET /status` back to back on every connection for `seconds`. */
  async run(seconds: number): Promise<TrafficResult> {
    const latencies: number[] = [];
    let errors = 0;
    const end = performance.now() + seconds * 1_000;
    const stop = AbortSignal.timeout(seconds * 1_000 + 10_000);
    const one = async (slot: number): Promise<void> => {
      while (performance.now() < end) {
        const start = performance.now();
        const conn = this.#conns[slot] ??= await open(this.#port, stop);
        const status = conn === undefined ? 0 : await exchange(conn);
        if (status === 200) latencies.push(performance.now() - start);
        else {
          errors++;
          if (conn !== undefined) close(conn);
          this.#conns[slot] = undefined;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    };
    await Promise.all(this.#conns.map((_, slot) => one(slot)));
    return { latencies: latencies.sort((a, b) => a - b), errors };
  }

  /** Closes every connection. */
  close(): void {
    for (const conn of this.#conns.splice(0)) if (conn) close(conn);
  }
}

/**
 * Every 500 ms for `seconds`, a new connection sends one request: resolves
 * with each one's time from connecting to its answer (ms, sorted) and how
 * many failed (no answer within 10 s).
 */
export async function newcomers(
  port: number,
  seconds: number,
): Promise<TrafficResult> {
  const tries: Promise<number | undefined>[] = [];
  const end = performance.now() + seconds * 1_000;
  while (performance.now() < end) {
    tries.push((async () => {
      const start = performance.now();
      const conn = await open(port, AbortSignal.timeout(10_000));
      if (conn === undefined) return undefined;
      const status = await exchange(conn);
      close(conn);
      return status === 200 ? performance.now() - start : undefined;
    })());
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const times = await Promise.all(tries);
  const latencies = times.filter((time) => time !== undefined);
  return {
    latencies: latencies.sort((a, b) => a - b),
    errors: times.length - latencies.length,
  };
}

/** One request on a keep-alive connection: the answer's status, 0 on failure. */
async function exchange(conn: Deno.Conn): Promise<number> {
  const timer = setTimeout(() => close(conn), 10_000);
  try {
    await conn.write(REQUEST);
    const buffer = new Uint8Array(4_096);
    let text = "";
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) return 0;
      text += new TextDecoder().decode(buffer.subarray(0, n));
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) continue;
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? "0");
      if (text.length - end - 4 < length) continue;
      return Number(text.slice(9, 12));
    }
  } catch {
    return 0;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Samples a process's resident memory every 250 ms until `signal` aborts;
 * resolves with the largest sample in bytes. It asks `ps`, which reads it
 * from /proc: Deno lets a script read /proc only with every permission.
 */
export async function peakRss(
  pid: number,
  signal: AbortSignal,
): Promise<number> {
  let peak = 0;
  while (!signal.aborted) {
    const { stdout } = await new Deno.Command("ps", {
      args: ["-o", "rss=", "-p", String(pid)],
      stdout: "piped",
      stderr: "null",
    }).output();
    const kib = Number(new TextDecoder().decode(stdout).trim() || "0");
    peak = Math.max(peak, kib * 1_024);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return peak;
}

/** Descriptors the simulator may hold in the abuse run. */
const ABUSE_FILE_LIMIT = 256;
/** Idle and slow connections of the abuse run, each. */
const ATTACKERS = 1_000;
/** Keep-alive connections of the normal traffic. */
const TRAFFIC_CONNECTIONS = 8;

/**
 * The abuse run: normal traffic alone for 10 s (the quiet run), then with
 * 1,000 idle and 1,000 slow connections for `seconds`, all reconnecting as
 * soon as the simulator closes them, against a simulator process limited to
 * 256 descriptors. Reports crashes, peak RSS, and the traffic's p99.
 */
export async function abuseRun(
  server: string,
  seconds: number,
): Promise<string[]> {
  console.error(
    `Abuse run: ulimit -n ${ABUSE_FILE_LIMIT}, 10 s quiet, then ${seconds} s with ${ATTACKERS} idle and ${ATTACKERS} slow connections…`,
  );
  const simulator = await spawnServer(server, [
    "--port=0",
    "--min-duration=86400",
    "--max-duration=86400",
  ], ABUSE_FILE_LIMIT);
  let crashed = false;
  void simulator.exited.then(() => crashed = true);
  const port = Number(new URL(simulator.url).port);
  const traffic = new TrafficPool(port, TRAFFIC_CONNECTIONS);
  try {
    const quiet = await traffic.run(10);
    const stop = new AbortController();
    const peak = peakRss(simulator.pid, stop.signal);
    const attacks = [
      attack(port, ATTACKERS, "idle", stop.signal),
      attack(port, ATTACKERS, "slow", stop.signal),
    ];
    const [loud, fresh] = await Promise.all([
      traffic.run(seconds),
      newcomers(port, seconds),
    ]);
    stop.abort();
    const [idle, slow] = await Promise.all(attacks);
    // Still serving, new connections too, once the attack ends?
    traffic.close();
    const after = await new TrafficPool(port, 1).run(1);
    const p99 = (result: TrafficResult): number =>
      percentile(result.latencies, 99);
    const ratio = p99(loud) / p99(quiet);
    return [
      `### Abuse run: the simulator under \`ulimit -n ${ABUSE_FILE_LIMIT}\`, ${ATTACKERS} idle + ${ATTACKERS} slow connections, ${seconds} s`,
      "",
      "| Measure | Value | Target |",
      "| --- | --: | --- |",
      `| Crashes (simulator exited) | ${crashed ? 1 : 0} | 0 |`,
      `| Simulator peak RSS (VmRSS) under attack | ${
        mebibytes(await peak)
      } | bounded |`,
      `| Normal requests answered: quiet (10 s) / under attack (${seconds} s) | ${quiet.latencies.length} / ${loud.latencies.length} | |`,
      `| Normal requests failed: quiet / under attack | ${quiet.errors} / ${loud.errors} | 0 |`,
      `| Normal requests' p50: quiet / under attack | ${
        ms(percentile(quiet.latencies, 50))
      } / ${ms(percentile(loud.latencies, 50))} | |`,
      `| Normal requests' p99: quiet / under attack | ${ms(p99(quiet))} / ${
        ms(p99(loud))
      } (${ratio.toFixed(2)}×) | ≤ 2× |`,
      `| New connections answered under attack within 10 s: p50 / max time | ${
        fresh.latencies.length === 0
          ? "none"
          : `${ms(percentile(fresh.latencies, 50))} / ${
            ms(fresh.latencies.at(-1)!)
          }`
      } (${fresh.latencies.length} of ${
        fresh.latencies.length + fresh.errors
      } answered) | |`,
      `| Idle connections opened / closed by the simulator | ${idle.opened} / ${idle.closedByServer} | |`,
      `| Slow connections opened / closed by the simulator | ${slow.opened} / ${slow.closedByServer} | |`,
      `| Answers in the second after the attack | ${after.latencies.length} (${after.errors} failed) | > 0 |`,
    ];
  } finally {
    traffic.close();
    await simulator.close();
  }
}
