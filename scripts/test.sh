#!/usr/bin/env bash
# Run every TaskFlow test, on a fresh machine or a developer's: this is the one test command
# (CI's .ci/run execs it too).
#
#   bash scripts/test.sh
#
# - Starts a throwaway PostgreSQL 15 (installing it if needed, see scripts/start-postgres.sh)
#   unless TASKFLOW_TEST_POSTGRES is already set, in which case that server is used and left
#   alone. A server this script started is stopped again on every exit path.
# - Installs the MCP servers the routing tests run against (scripts/install-mcp-servers.sh,
#   pinned npm packages; fast when already there) into TASKFLOW_MCP_SERVERS, default
#   tests/.mcp-servers, and exports that folder to the tests; likewise the MCP conformance
#   suite (scripts/install-conformance.sh) into TASKFLOW_CONFORMANCE, default tests/.conformance.
# - Starts a Docker engine for the container workspace tests (scripts/start-docker.sh: Debian's
#   docker.io and a local busybox image, no registry) unless DOCKER_HOST is already set, and
#   installs bubblewrap for the sandboxed-process workspaces. An engine started here is stopped
#   on every exit path.
# - Installs Debian's chromium for the designer's browser tests (Playwright drives it; no browser
#   is downloaded), and Debian's prometheus for the monitoring tests (promtool checks and tests the
#   alert rules; a Prometheus the tests start scrapes a server and a worker).
# - Builds TaskFlow.sln (Release) once (which also runs npm ci and the designer's Vite build),
#   publishes the native hook executable (taskflow-hook) into artifacts/taskflow-hook (installing
#   gcc and libc6-dev for the native link if needed), then runs all test projects with TRX
#   results, and the designer's Vitest unit tests with a JUnit report, in artifacts/test-results/.
# - Its last line is "N passed, N failed, N skipped" (counted from the TRX and JUnit files). It
#   exits non-zero if the build failed, a test failed, a test run itself failed, no TRX file was
#   written, or no test ran.
set -euo pipefail

cd "$(dirname "$0")/.."

export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

RESULTS=artifacts/test-results
PG_DIR=""
DOCKER_DIR=""

say() { printf 'test.sh: %s\n' "$*" >&2; }

stop_postgres() {
  if [[ -n $PG_DIR ]]; then
    local dir=$PG_DIR
    PG_DIR=""
    bash scripts/stop-postgres.sh "$dir" || say "warning: could not stop the PostgreSQL server in $dir"
  fi
}
stop_docker() {
  if [[ -n $DOCKER_DIR ]]; then
    local dir=$DOCKER_DIR
    DOCKER_DIR=""
    if bash scripts/stop-docker.sh "$dir"; then
      rm -rf "$dir" || say "warning: could not remove $dir"
    else
      say "warning: could not stop the Docker engine in $dir"
    fi
  fi
}
stop_all() {
  stop_postgres
  stop_docker
}
trap stop_all EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

command -v dotnet >/dev/null 2>&1 || { say "error: dotnet is not on PATH"; exit 1; }

# --- PostgreSQL ---------------------------------------------------------------------------
if [[ -n ${TASKFLOW_TEST_POSTGRES:-} ]]; then
  say "using the PostgreSQL server in TASKFLOW_TEST_POSTGRES (not started or stopped here)"
else
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/taskflow-pg.XXXXXX")
  # An assignment keeps the script's exit status (eval "$(...)" would hide a failure).
  pg_env=$(bash scripts/start-postgres.sh "$PG_DIR")
  eval "$pg_env"
  export TASKFLOW_TEST_POSTGRES
fi

# --- Docker engine and bubblewrap (workspaces) ------------------------------------------
if [[ -n ${DOCKER_HOST:-} ]]; then
  say "using the Docker engine in DOCKER_HOST (not started or stopped here)"
else
  DOCKER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/taskflow-docker.XXXXXX")
  docker_env=$(bash scripts/start-docker.sh "$DOCKER_DIR")
  eval "$docker_env"
  export DOCKER_HOST
fi
if ! command -v bwrap >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing bubblewrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bubblewrap >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bubblewrap >&2; }
  else
    say "warning: bubblewrap (bwrap) is missing and cannot be installed here; the process workspace tests will fail"
  fi
fi

# --- Chromium (designer browser tests) ---------------------------------------------------
if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing chromium"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >&2; }
  else
    say "warning: chromium (/usr/bin/chromium) is missing and cannot be installed here; the designer tests will fail"
  fi
fi

# --- Prometheus (monitoring tests: promtool, and a real Prometheus scraping TaskFlow) ------
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing prometheus (for promtool and the scrape test)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >&2; }
    # The package starts its own service where the init system lets it; the tests start theirs.
    if command -v service >/dev/null 2>&1 && pgrep -x prometheus >/dev/null 2>&1; then
      service prometheus stop >&2 || true
    fi
  else
    say "warning: prometheus and promtool are missing and cannot be installed here; the monitoring tests will fail"
  fi
fi

# --- MCP servers --------------------------------------------------------------------------
export TASKFLOW_MCP_SERVERS=${TASKFLOW_MCP_SERVERS:-$PWD/tests/.mcp-servers}
if ! bash scripts/install-mcp-servers.sh "$TASKFLOW_MCP_SERVERS"; then
  stop_all
  say "error: the MCP servers could not be installed in $TASKFLOW_MCP_SERVERS"
  exit 1
fi
TASKFLOW_MCP_SERVERS=$(cd "$TASKFLOW_MCP_SERVERS" && pwd)   # the tests run in other folders

# --- MCP conformance suite (and the Node.js 22 it needs) ---------------------------------
export TASKFLOW_CONFORMANCE=${TASKFLOW_CONFORMANCE:-$PWD/tests/.conformance}
if ! bash scripts/install-conformance.sh "$TASKFLOW_CONFORMANCE"; then
  stop_all
  say "error: the MCP conformance suite could not be installed in $TASKFLOW_CONFORMANCE"
  exit 1
fi
TASKFLOW_CONFORMANCE=$(cd "$TASKFLOW_CONFORMANCE" && pwd)

# --- build once ---------------------------------------------------------------------------
if ! dotnet build TaskFlow.sln -c Release -nodeReuse:false; then
  stop_all
  say "error: the build failed"
  exit 1
fi

# --- the native hook executable (taskflow-hook, native AOT) -------------------------------
# The hook tests run every case against it too, from artifacts/taskflow-hook. Native AOT links
# with the system C compiler (gcc or clang) and the C library's development files.
if ! command -v clang >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1 || [[ ! -e /usr/lib/x86_64-linux-gnu/crt1.o && ! -e /usr/lib/aarch64-linux-gnu/crt1.o ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing gcc and libc6-dev (native AOT links with them)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gcc libc6-dev >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gcc libc6-dev >&2; }
  else
    say "warning: no C compiler to link native AOT with; the native hook tests will fail"
  fi
fi
if ! dotnet publish src/TaskFlow.Hooks.Cli -c Release -r "linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')" -o artifacts/taskflow-hook -nodeReuse:false; then
  stop_all
  say "error: the native hook executable could not be published"
  exit 1
fi

# --- test ---------------------------------------------------------------------------------
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
test_rc=0
dotnet test TaskFlow.sln -c Release --no-build \
  --logger "trx" --results-directory "$RESULTS" \
  --blame-hang-timeout 10m || test_rc=$?

# The designer's unit tests (the build ran npm ci, so its node_modules are in place).
vitest_rc=0
(cd src/TaskFlow.Designer && npx --no-install vitest run --reporter=default --reporter=junit \
  --outputFile.junit="../../$RESULTS/designer-vitest.junit.xml") || vitest_rc=$?

# Stop the servers now, so that their messages come before the counting line.
stop_all

# --- count --------------------------------------------------------------------------------
mapfile -t trx_files < <(find "$RESULTS" -type f -name '*.trx' | sort)
if [[ ${#trx_files[@]} -eq 0 ]]; then
  say "error: dotnet test (exit code $test_rc) wrote no TRX file to $RESULTS"
  exit 1
fi
read -r passed failed skipped < <(bash scripts/count-trx.sh "${trx_files[@]}")
if [[ -f $RESULTS/designer-vitest.junit.xml ]]; then
  read -r v_passed v_failed v_skipped < <(bash scripts/count-junit.sh "$RESULTS/designer-vitest.junit.xml")
  passed=$((passed + v_passed))
  failed=$((failed + v_failed))
  skipped=$((skipped + v_skipped))
else
  say "error: vitest (exit code $vitest_rc) wrote no JUnit file to $RESULTS"
  if (( vitest_rc == 0 )); then
    vitest_rc=1
  fi
fi

status=0
if (( failed > 0 )); then
  status=1
fi
if (( passed + failed == 0 )); then
  say "error: no test ran (${#trx_files[@]} TRX file(s) in $RESULTS)"
  status=1
fi
if (( test_rc != 0 )); then
  say "error: dotnet test exited with code $test_rc"
  status=1
fi
if (( vitest_rc != 0 )); then
  say "error: vitest exited with code $vitest_rc"
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
