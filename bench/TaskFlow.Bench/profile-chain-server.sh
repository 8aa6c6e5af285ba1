#!/usr/bin/env bash
# The server's own part of a PostgreSQL chain step: how long PostgreSQL spends executing a step's
# statements and flushing its WAL, whatever the worker does. That sum bounds the chain from above
# on this machine: no worker, however fast, can run a checkpointed step in less time than the
# server needs for its commit.
#
#   bash bench/TaskFlow.Bench/profile-chain-server.sh [--runs 5] [--warmup-seconds 10]
#
# Starts a throwaway PostgreSQL (scripts/start-postgres.sh) with pg_stat_statements and WAL I/O
# timing on, runs the engine benchmark's PostgreSQL chain (1,000 steps a run), resets the
# statistics once the first measured run has finished, and reads them after the last one:
# PostgreSQL's execution time per statement (pg_stat_statements), its WAL flushes (pg_stat_wal) and
# its transactions (BEGIN, counted by pg_stat_statements). Stops the server at the end.
set -euo pipefail

RUNS=5 WARMUP_SECONDS=10
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --warmup-seconds) WARMUP_SECONDS=$2; shift 2 ;;
    *) echo "profile-chain-server: unknown argument $1 (expected --runs, --warmup-seconds)" >&2; exit 2 ;;
  esac
done
(( RUNS >= 2 )) || { echo "profile-chain-server: --runs must be at least 2 (the first run is not counted)" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
chmod 755 "$WORK"
cleanup() {
  [[ -n ${BENCH_PID:-} ]] && kill "$BENCH_PID" 2>/dev/null || true
  bash "$ROOT/scripts/stop-postgres.sh" "$WORK/pg" >&2 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export TASKFLOW_POSTGRES_EXTRA_CONF=$'shared_preload_libraries = \'pg_stat_statements\'\npg_stat_statements.track = all\npg_stat_statements.track_utility = on\ntrack_wal_io_timing = on'
eval "$(bash "$ROOT/scripts/start-postgres.sh" "$WORK/pg")"
PGARGS=$(printf '%s' "$TASKFLOW_TEST_POSTGRES" | tr ';' '\n' | sed -n 's/^Host=/-h /p; s/^Port=/-p /p; s/^Username=/-U /p' | tr '\n' ' ')
sql() { psql $PGARGS -d postgres -qAt -c "$1"; }
sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null

dotnet build "$ROOT/bench/TaskFlow.Bench" -c Release -nodeReuse:false -v quiet >&2
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); postgres: $(sql 'SHOW server_version')"
dotnet "$ROOT/bench/TaskFlow.Bench/bin/Release/net10.0/TaskFlow.Bench.dll" \
  --n 1000 --runs "$RUNS" --warmup-seconds "$WARMUP_SECONDS" --only postgres --shape chain >"$WORK/bench.txt" 2>&1 &
BENCH_PID=$!
# Statistics from the end of the first measured run to the end of the last.
until grep -q 'chain *run 1:' "$WORK/bench.txt"; do
  kill -0 "$BENCH_PID" 2>/dev/null || { cat "$WORK/bench.txt" >&2; echo "profile-chain-server: the benchmark ended before its first run" >&2; exit 1; }
  sleep 0.05
done
sql "SELECT pg_stat_statements_reset(), pg_stat_reset_shared('wal')" >/dev/null
wait "$BENCH_PID"
BENCH_PID=""
cat "$WORK/bench.txt"

echo "server, runs 2-$RUNS:"
# Every commit of the engine opens with BEGIN, counted as it ends (pg_stat_database lags by up to a second).
COMMITS=$(sql "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE 'BEGIN%'")
(( COMMITS > 0 )) || { echo "profile-chain-server: no BEGIN counted; is pg_stat_statements.track_utility on?" >&2; exit 1; }
echo "  transactions: $COMMITS"
echo "  statements run more than 1,000 times (calls, microseconds per call, statement):"
sql "SELECT '    ' || calls || ' | ' || round((total_exec_time * 1000 / calls)::numeric, 1) || ' | ' || left(regexp_replace(query, '\s+', ' ', 'g'), 80)
     FROM pg_stat_statements WHERE calls > 1000 ORDER BY total_exec_time DESC"
STATEMENTS_US=$(sql "SELECT round((sum(total_exec_time) * 1000 / $COMMITS)::numeric, 1) FROM pg_stat_statements WHERE calls > 1000")
# WAL statistics reach pg_stat_wal up to a second late, so only their ratios are used.
read -r SYNCS SYNC_MS BYTES < <(sql "SELECT wal_sync, round((wal_sync_time / nullif(wal_sync, 0))::numeric, 3), round(wal_bytes::numeric / nullif(wal_sync, 0)) FROM pg_stat_wal" | tr '|' ' ')
echo "  statement execution per commit: $STATEMENTS_US us"
echo "  WAL: $SYNCS flushes, $SYNC_MS ms and $BYTES bytes each"
awk -v s="$STATEMENTS_US" -v f="$SYNC_MS" 'BEGIN {
  part = s / 1000 + f
  printf "  the server'"'"'s part of a step: %.3f ms (statements %.3f + one flush %.3f), so at most %d steps/s with a worker that costs nothing\n", part, s / 1000, f, 1000 / part
}'
