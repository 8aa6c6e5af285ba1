#!/usr/bin/env bash
# Stop a server started by scripts/start-postgres.sh DIR and remove DIR.
# Usage: bash scripts/stop-postgres.sh DIR
# Safe to call twice, or on a DIR whose server never started. Output goes to stderr.
set -euo pipefail

log() { printf 'stop-postgres: %s\n' "$*" >&2; }

[[ $# -eq 1 && -n $1 ]] || { log "usage: $0 DIR"; exit 2; }
DIR=$1
MARKER=.taskflow-postgres

if [[ ! -e $DIR ]]; then
  log "$DIR does not exist: nothing to stop"
  exit 0
fi
if [[ ! -f $DIR/$MARKER ]]; then
  log "error: $DIR was not made by scripts/start-postgres.sh; not touching it"
  exit 1
fi

# shellcheck source=scripts/postgres-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/postgres-common.sh"

rc=0
if [[ -f $DIR/data/postmaster.pid ]]; then
  # Use the binaries of the version that made the data folder, else the newest installed.
  BIN=""
  if [[ -f $DIR/data/PG_VERSION ]]; then
    v=$(<"$DIR/data/PG_VERSION")
    [[ -x /usr/lib/postgresql/$v/bin/pg_ctl ]] && BIN=/usr/lib/postgresql/$v/bin
  fi
  [[ -n $BIN ]] || BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z $BIN || ! -x $BIN/pg_ctl ]]; then
    log "error: pg_ctl not found"
    rc=1
  elif ! as_postgres "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    log "no server is running in $DIR/data"
  else
    log "stopping the server in $DIR/data"
    if ! as_postgres "$BIN/pg_ctl" -D "$DIR/data" stop -m fast -w -t 60 >&2; then
      if [[ -f $DIR/data/postmaster.pid ]]; then
        log "fast stop failed; trying immediate"
        as_postgres "$BIN/pg_ctl" -D "$DIR/data" stop -m immediate -w -t 30 >&2 || rc=1
      fi
    fi
  fi
fi

if [[ $rc -eq 0 ]]; then
  rm -rf -- "$DIR"
  log "removed $DIR"
else
  log "error: the server in $DIR may still be running; $DIR was kept"
fi
exit "$rc"
