// Restate (TypeScript SDK on restate-server) on the engine benchmark's two workloads.
//
//   node restate-bench.mjs --server PATH/restate-server [--n 1000] [--runs 5] [--warmups 10] [--warmup-seconds 0] [--shape fanout|chain|chain-pure]
//
// Restate keeps its journal in its own storage (a local log and RocksDB under a temporary
// folder, WAL fsync on, the server's defaults otherwise); it does not use PostgreSQL. Idiomatic
// Restate: one service invocation per run, every no-op a ctx.run (a journal entry the server
// makes durable before the handler goes on), RestatePromise.all for the fan-out and a loop for
// the chain. chain-pure: the no-ops are plain calls in the handler's own code, which Restate runs
// again on replay instead of journaling them: the durability of TaskFlow's pure steps, which
// commit with the step that readied them. Timed like TaskFlow where Restate records it: the invocation's creation to its
// completion as sys_invocation reports them; the caller's own time is the fallback.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as restate from "@restatedev/restate-sdk";
import { arg, handlerName, measure, options, stamp } from "./common.mjs";

const serverBinary = arg("--server", undefined);
if (!serverBinary) {
  console.error("restate-bench: pass --server with the path of restate-server (install-peers.sh prints it)");
  process.exit(2);
}

const noop = async (key) => stamp(key);

const bench = restate.service({
  name: "Bench",
  handlers: {
    fanout: async (ctx, n) => {
      const steps = [];
      for (let i = 0; i < n; i++) {
        steps.push(ctx.run(`b${i}`, () => noop(`b${i}`)));
      }
      return (await restate.RestatePromise.all(steps)).length;
    },
    chain: async (ctx, n) => {
      for (let i = 0; i < n; i++) {
        await ctx.run(`s${i}`, () => noop(`s${i}`));
      }
      return n;
    },
    chainPure: async (ctx, n) => {
      for (let i = 0; i < n; i++) {
        await noop(`s${i}`);
      }
      return n;
    },
  },
});

const [ingressPort, adminPort, nodePort] = [await freePort(), await freePort(), await freePort()];
const endpointPort = await restate.serve({ services: [bench], port: await freePort() });
const data = mkdtempSync(join(tmpdir(), "taskflow-bench-restate-"));
const server = spawn(serverBinary, ["--no-logo", "--listen-mode", "tcp", "--base-dir", data, "--node-name", "bench"], {
  env: {
    ...process.env,
    RESTATE_DISABLE_TELEMETRY: "true",
    RESTATE_LOG_FILTER: "error",
    RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
    RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
    RESTATE_BIND_ADDRESS: `127.0.0.1:${nodePort}`,
    RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${nodePort}/`,
  },
  // restate-server logs to stderr (at error level here: its update check fails without network).
  stdio: ["ignore", "ignore", "ignore"],
});
const serverExit = new Promise((resolve) => server.once("exit", resolve));

try {
  await until(async () => (await fetch(`http://127.0.0.1:${adminPort}/health`)).ok, "the admin API");
  await until(async () => (await fetch(`http://127.0.0.1:${ingressPort}/restate/health`)).ok, "the ingress");
  const registered = await fetch(`http://127.0.0.1:${adminPort}/deployments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ uri: `http://127.0.0.1:${endpointPort}` }),
  });
  if (!registered.ok) {
    throw new Error(`registering the service endpoint failed: ${registered.status} ${await registered.text()}`);
  }

  await measure("restate", async (shape) => {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${ingressPort}/Bench/${handlerName(shape)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(options.n),
    });
    const callerMs = performance.now() - started;
    const steps = response.ok ? await response.json() : undefined;
    if (steps !== options.n) {
      throw new Error(`restate ${shape} did not succeed: ${response.status}, ${steps} steps`);
    }
    const recorded = await recordedMs(response.headers.get("x-restate-id"));
    return { steps, ms: recorded ?? callerMs, timing: recorded === undefined ? "caller-timed" : undefined };
  });
} finally {
  server.kill("SIGTERM");
  await Promise.race([serverExit, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  rmSync(data, { recursive: true, force: true });
  process.exit(process.exitCode ?? 0);
}

// The server's own record of the invocation, when its introspection API reports it.
async function recordedMs(id) {
  if (!id) {
    return undefined;
  }
  const response = await fetch(`http://127.0.0.1:${adminPort}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: `SELECT created_at, completed_at FROM sys_invocation WHERE id = '${id}'` }),
  });
  if (!response.ok) {
    return undefined;
  }
  const row = (await response.json()).rows?.[0];
  const created = Date.parse(row?.created_at);
  const completed = Date.parse(row?.completed_at);
  return Number.isFinite(created) && Number.isFinite(completed) && completed > created ? completed - created : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function until(check, what) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if (await check()) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`restate-server did not bring up ${what} within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
