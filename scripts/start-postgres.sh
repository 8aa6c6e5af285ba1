#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 server for the tests.
#
# Usage:  eval "$(bash scripts/start-postgres.sh [DIR])"
#         ... run things that read TASKFLOW_TEST_POSTGRES ...
#         bash scripts/stop-postgres.sh DIR
#
# - Installs PostgreSQL from Debian's packages if initdb is missing (needs root).
# - Runs the server as the 'postgres' system user (PostgreSQL refuses to run as root);
#   the user is created if missing.
# - Listens on 127.0.0.1 only, on the first free port from 55432 upward; its Unix socket
#   lives in DIR (or /tmp if DIR's path is too long for a socket).
# - Keeps its data in DIR (default: a new temporary folder), fsync on, max_connections=300.
#   TASKFLOW_POSTGRES_EXTRA_CONF, when set, adds its lines to postgresql.conf.
#
# Stdout carries exactly one line: export TASKFLOW_TEST_POSTGRES='Host=127.0.0.1;Port=...'.
# Everything else (apt, initdb, pg_ctl) goes to stderr. Exits non-zero if the server
# could not be started; DIR is left in place then so its logs can be read (stop-postgres.sh
# removes it).
set -euo pipefail

log() { printf 'start-postgres: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

FIRST_PORT=55432
LAST_PORT=55531
MARKER=.taskflow-postgres   # marks DIR as ours, so stop-postgres.sh may remove it

find_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n $d && -x $d/initdb && -x $d/pg_ctl ]]; then
    printf '%s\n' "$d"
  fi
}

# shellcheck source=scripts/postgres-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/postgres-common.sh"

# True if something already listens on TCP port $1 (any address).
port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
  fi
  # Fallback (and double check): try to connect on loopback.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    return 0
  fi
  return 1
}

[[ $(id -u) -eq 0 ]] || die "must run as root (it installs packages and switches to the postgres user)"

# --- 1. PostgreSQL binaries -------------------------------------------------------------
BIN=$(find_bin)
if [[ -z $BIN ]]; then
  log "initdb not found: installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends postgresql </dev/null >&2
  BIN=$(find_bin)
  [[ -n $BIN ]] || die "PostgreSQL was installed but no initdb was found under /usr/lib/postgresql/*/bin"
  # The package may have created and started a 'main' cluster on port 5432: it was started
  # by this install, so stop it (we only want our throwaway server).
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | while read -r ver name _port status _rest; do
      if [[ $status == online* ]]; then
        log "stopping cluster $ver/$name that the package install started"
        pg_ctlcluster "$ver" "$name" stop >&2 || true
      fi
    done
  fi
fi
log "using $BIN ($("$BIN/postgres" --version))"

# --- 2. postgres user ---------------------------------------------------------------------
if ! id postgres >/dev/null 2>&1; then
  log "creating the postgres system user"
  useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home --shell /bin/sh postgres
fi

# --- 3. data folder -----------------------------------------------------------------------
if [[ $# -ge 1 && -n $1 ]]; then
  DIR=$1
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd -P)
  if [[ -n $(ls -A "$DIR") ]]; then
    if [[ -f $DIR/$MARKER ]]; then
      log "reusing $DIR: stopping any server left there and wiping it"
      if [[ -f $DIR/data/postmaster.pid ]]; then
        as_postgres "$BIN/pg_ctl" -D "$DIR/data" stop -m fast >&2 || true
      fi
      find "$DIR" -mindepth 1 -delete
    else
      die "$DIR is not empty and was not made by this script; give an empty or new folder"
    fi
  fi
else
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/taskflow-pg.XXXXXX")
fi
touch "$DIR/$MARKER"
chown postgres "$DIR"
chmod 700 "$DIR"
# postgres must be able to reach DIR through its parents.
as_postgres test -w "$DIR" || die "the postgres user cannot write to $DIR (check the permissions of its parent folders)"

# Unix socket paths are limited to ~107 bytes: keep the socket in DIR if it fits.
SOCKET_DIR=$DIR
if (( ${#DIR} > 80 )); then
  SOCKET_DIR=/tmp
fi

# --- 4. initdb ----------------------------------------------------------------------------
log "initdb in $DIR/data"
if ! as_postgres "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1; then
  cat "$DIR/initdb.log" >&2
  die "initdb failed"
fi
cat >>"$DIR/data/postgresql.conf" <<EOF

# --- added by scripts/start-postgres.sh (throwaway test server) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCKET_DIR'
max_connections = 300
fsync = on
EOF
# Extra settings for a profiling run (bench/TaskFlow.Bench/profile-chain-server.sh), one per line.
if [[ -n ${TASKFLOW_POSTGRES_EXTRA_CONF:-} ]]; then
  printf '%s\n' "$TASKFLOW_POSTGRES_EXTRA_CONF" >>"$DIR/data/postgresql.conf"
fi

# --- 5. start on the first free port ------------------------------------------------------
# Another server may grab a port between the check and the start: then try the next one.
PORT=""
for ((p = FIRST_PORT; p <= LAST_PORT; p++)); do
  if port_in_use "$p"; then
    continue
  fi
  log "starting on 127.0.0.1:$p"
  : >"$DIR/server.log"
  chown postgres "$DIR/server.log"
  if as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 120 -o "-p $p" start >&2; then
    PORT=$p
    break
  fi
  log "could not start on port $p; server log:"
  tail -n 20 "$DIR/server.log" >&2 || true
  # Make sure nothing is left half-running before trying the next port.
  if [[ -f $DIR/data/postmaster.pid ]]; then
    as_postgres "$BIN/pg_ctl" -D "$DIR/data" stop -m immediate >&2 || true
  fi
done
[[ -n $PORT ]] || die "no free port in $FIRST_PORT..$LAST_PORT, or the server would not start (see $DIR/server.log)"

# Check that the server answers on TCP where we say it does.
if [[ -x $BIN/pg_isready ]]; then
  "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -t 30 \
    || die "server started but does not answer on 127.0.0.1:$PORT"
fi
log "PostgreSQL is up on 127.0.0.1:$PORT (data in $DIR; stop with: bash scripts/stop-postgres.sh $DIR)"

echo "export TASKFLOW_TEST_POSTGRES='Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres'"
