#!/usr/bin/env bash
# Stop the engine started by scripts/start-docker.sh [BASE] (default /tmp/taskflow-docker).
# Usage: bash scripts/stop-docker.sh [BASE]
#
# Removes the workspace containers first (label taskflow.owner=taskflow), so none is left
# running once the engine is gone, then stops dockerd and waits for it to exit. BASE is kept:
# its images make the next start fast. Safe to call twice, or when the engine never started.
# Output goes to stderr.
set -euo pipefail

log() { printf 'stop-docker: %s\n' "$*" >&2; }

DOCKER=/usr/bin/docker
MARKER=.taskflow-docker

BASE=${1:-/tmp/taskflow-docker}
if [[ ! -e $BASE ]]; then
  log "$BASE does not exist: nothing to stop"
  exit 0
fi
if [[ ! -f $BASE/$MARKER ]]; then
  log "error: $BASE was not made by scripts/start-docker.sh; not touching it"
  exit 1
fi
HOST=unix://$BASE/docker.sock

if [[ -x $DOCKER ]] && "$DOCKER" -H "$HOST" version >/dev/null 2>&1; then
  mapfile -t ids < <("$DOCKER" -H "$HOST" ps -aq --filter label=taskflow.owner=taskflow)
  if (( ${#ids[@]} > 0 )); then
    log "removing ${#ids[@]} workspace container(s)"
    "$DOCKER" -H "$HOST" rm -f "${ids[@]}" >/dev/null || log "warning: some workspace containers could not be removed"
  fi
fi

pid=""
[[ -f $BASE/dockerd.pid ]] && pid=$(<"$BASE/dockerd.pid")
# The pid file may outlive its engine: only signal the process if it still is that dockerd.
if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null || [[ $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd ]]; then
  log "no dockerd from $BASE is running"
  rm -f "$BASE/dockerd.pid"
  exit 0
fi

# SIGTERM lets dockerd stop its containerd and unmount its layers; it may take a while with
# many containers, so SIGKILL only after 30 s.
log "stopping dockerd (pid $pid)"
kill -TERM "$pid"
for ((i = 0; i < 300; i++)); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  log "dockerd did not stop within 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
fi
if kill -0 "$pid" 2>/dev/null; then
  log "error: dockerd (pid $pid) is still running"
  exit 1
fi
rm -f "$BASE/dockerd.pid"
log "dockerd stopped"
