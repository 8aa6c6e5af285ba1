// DBOS Transact (TypeScript) on the engine benchmark's two workloads, on TaskFlow's PostgreSQL.
//
//   node dbos-bench.mjs --postgres 'Host=127.0.0.1;Port=5432;Username=postgres' [--n 1000] [--runs 5] [--warmups 10] [--warmup-seconds 0] [--shape fanout|chain|chain-pure]
//
// Idiomatic DBOS: one workflow per run, every no-op a checkpointed step (DBOS.runStep writes the
// step's output to the system database before the workflow goes on), Promise.all for the
// fan-out and a loop for the chain. chain-pure: the no-ops are plain calls in the workflow's own
// code, which DBOS runs again on recovery instead of checkpointing them: the durability of
// TaskFlow's pure steps, which commit with the step that readied them. Timed like TaskFlow: the workflow's own record, from its
// creation (workflow_status.created_at) to its completion (updated_at), both written by DBOS.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { DBOS } from "@dbos-inc/dbos-sdk";
import { arg, handlerName, measure, options, postgresUrl, stamp } from "./common.mjs";

const server = arg("--postgres", process.env.TASKFLOW_TEST_POSTGRES);
if (!server) {
  console.error("dbos-bench: no PostgreSQL: pass --postgres or set TASKFLOW_TEST_POSTGRES");
  process.exit(2);
}

// A fresh system database per benchmark process, as TaskFlow gets a fresh database per run.
const database = `tf_bench_dbos_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = new pg.Client({ connectionString: postgresUrl(server, "postgres") });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);

const noop = async (key) => stamp(key);

const fanOut = DBOS.registerWorkflow(async (n) => {
  const steps = [];
  for (let i = 0; i < n; i++) {
    steps.push(DBOS.runStep(() => noop(`b${i}`), { name: `b${i}` }));
  }
  return (await Promise.all(steps)).length;
}, { name: "fanout" });

const chain = DBOS.registerWorkflow(async (n) => {
  for (let i = 0; i < n; i++) {
    await DBOS.runStep(() => noop(`s${i}`), { name: `s${i}` });
  }
  return n;
}, { name: "chain" });

const chainPure = DBOS.registerWorkflow(async (n) => {
  for (let i = 0; i < n; i++) {
    await noop(`s${i}`);
  }
  return n;
}, { name: "chainPure" });

const workflows = { fanout: fanOut, chain, chainPure };

DBOS.setConfig({ name: "taskflow-bench", systemDatabaseUrl: postgresUrl(server, database), logLevel: "warn" });
await DBOS.launch();
try {
  await measure("dbos", async (shape) => {
    const handle = await DBOS.startWorkflow(workflows[handlerName(shape)])(options.n);
    const steps = await handle.getResult();
    const status = await DBOS.getWorkflowStatus(handle.workflowID);
    if (status?.status !== "SUCCESS" || steps !== options.n) {
      throw new Error(`dbos ${shape} did not succeed: ${status?.status}, ${steps} steps`);
    }
    return { steps, ms: status.updatedAt - status.createdAt };
  });
} finally {
  await DBOS.shutdown();
  // Now and then DBOS's pool still holds a connection after shutdown; FORCE ends it, and the pool
  // may then print "terminating connection due to administrator command", which is harmless.
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}
