// Shared by the peer benchmarks: arguments, stamps, percentiles and the output lines, which
// follow TaskFlow.Bench's format so that run-engine-peers.sh can read all of them alike.
import { performance } from "node:perf_hooks";

export function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

export const options = {
  n: Number(arg("--n", "1000")),
  runs: Number(arg("--runs", "5")),
  warmups: Number(arg("--warmups", "10")),
  warmupSeconds: Number(arg("--warmup-seconds", "0")),
  shape: arg("--shape", undefined),
};

/** Step k's start and end on a monotonic clock, as TaskFlow's bench.stamp activity records them. */
export const stamps = new Map();

export function stamp(key) {
  const start = performance.now();
  stamps.set(key, { start, end: performance.now() });
  return key;
}

/** Completion of step k to start of step k+1 over the chain's n - 1 links, in ms, sorted. */
export function chainLatencies(n) {
  const latencies = [];
  for (let i = 1; i < n; i++) {
    const previous = stamps.get(`s${i - 1}`);
    const next = stamps.get(`s${i}`);
    if (!previous || !next) {
      throw new Error(`step s${i - 1} or s${i} never ran: the chain did not complete`);
    }
    latencies.push(next.start - previous.end);
  }
  return latencies.sort((a, b) => a - b);
}

export function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** The handler or workflow name of a shape ("chain-pure" -> "chainPure"). */
export const handlerName = (shape) => shape.replace(/-(\w)/g, (_, c) => c.toUpperCase());

/**
 * Runs the warm-ups (not reported) and the measured runs of each shape, printing one line per run
 * and a summary. runOnce(shape) returns { steps, ms, timing? } and fills `stamps`; timing names
 * how a run was timed when it is not the engine's own record.
 */
export async function measure(peer, runOnce) {
  const summary = [];
  for (const shape of ["fanout", "chain", "chain-pure"]) {
    if (options.shape && options.shape !== shape) {
      continue;
    }
    // Warm-ups go on until both their count and their time are reached, as in TaskFlow.Bench.
    const warming = performance.now();
    for (let i = 0; i < options.warmups || performance.now() - warming < options.warmupSeconds * 1000; i++) {
      stamps.clear();
      await runOnce(shape);
    }
    const rates = [];
    for (let run = 1; run <= options.runs; run++) {
      stamps.clear();
      const { steps, ms, timing } = await runOnce(shape);
      const rate = steps / (ms / 1000);
      rates.push(rate);
      let latency = "";
      if (shape.startsWith("chain")) {
        const sorted = chainLatencies(options.n);
        latency = `; completion->start p50 ${percentile(sorted, 0.5).toFixed(3)} ms, p99 ${percentile(sorted, 0.99).toFixed(3)} ms`;
      }
      console.log(`${peer.padEnd(8)} ${shape.padEnd(11)} run ${run}: ${steps} steps in ${Math.round(ms)} ms = ${Math.round(rate)} steps/s${latency}${timing ? ` (${timing})` : ""}`);
    }
    rates.sort((a, b) => a - b);
    summary.push(`${peer} ${shape}: median ${Math.round(rates[Math.floor(rates.length / 2)])} steps/s (min ${Math.round(rates[0])}, max ${Math.round(rates[rates.length - 1])})`);
  }
  console.log("summary:");
  for (const line of summary) {
    console.log("  " + line);
  }
}

/** Turns an Npgsql connection string (Host=...;Port=...;Username=...) into a postgres:// URL. */
export function postgresUrl(npgsql, database) {
  const parts = Object.fromEntries(
    npgsql.split(";").filter((p) => p.includes("=")).map((p) => {
      const at = p.indexOf("=");
      return [p.slice(0, at).trim().toLowerCase(), p.slice(at + 1).trim()];
    }));
  const user = encodeURIComponent(parts.username ?? parts["user id"] ?? parts.user ?? "postgres");
  const password = parts.password ? `:${encodeURIComponent(parts.password)}` : "";
  return `postgresql://${user}${password}@${parts.host ?? "127.0.0.1"}:${parts.port ?? "5432"}/${database}`;
}
