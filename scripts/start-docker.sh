#!/usr/bin/env bash
# Start a private Docker engine for the container workspaces and their tests.
#
# Usage:  eval "$(bash scripts/start-docker.sh [BASE])"
#         ... run things that read DOCKER_HOST ...
#         bash scripts/stop-docker.sh [BASE]
#
# - Installs Debian's docker.io (engine 20.10, API 1.41) and busybox-static if they are
#   missing (needs root).
# - Runs its own dockerd with everything under BASE (default /tmp/taskflow-docker): the API
#   socket BASE/docker.sock, images and containers in BASE/data, its pid in BASE/dockerd.pid
#   and its log in BASE/dockerd.log. An engine already answering on that socket is reused.
# - Makes the image local/busybox:latest (the workspaces' default) from busybox-static, as
#   no image registry may be reachable. A new engine has it in about 20 s, apt included.
#
# Stdout carries exactly one line: export DOCKER_HOST=unix://BASE/docker.sock. Everything
# else goes to stderr. Exits non-zero if the engine could not be started; BASE is left in
# place then so dockerd.log can be read.
set -euo pipefail

log() { printf 'start-docker: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The engine and its client come from the docker.io package by full path: another `docker`
# earlier on PATH may speak a different API version.
DOCKERD=/usr/sbin/dockerd
DOCKER=/usr/bin/docker
BUSYBOX=/bin/busybox
IMAGE=local/busybox:latest
MARKER=.taskflow-docker   # marks BASE as ours, so stop-docker.sh may act on it

[[ $(id -u) -eq 0 ]] || die "must run as root (it installs packages and runs dockerd)"

# --- 1. packages --------------------------------------------------------------------------
if [[ ! -x $DOCKERD || ! -x $DOCKER || ! -x $BUSYBOX ]]; then
  log "installing docker.io and busybox-static from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends docker.io busybox-static </dev/null >&2
  [[ -x $DOCKERD && -x $DOCKER && -x $BUSYBOX ]] || die "docker.io and busybox-static were installed but $DOCKERD, $DOCKER or $BUSYBOX is missing"
fi

# --- 2. base folder -----------------------------------------------------------------------
BASE=${1:-/tmp/taskflow-docker}
mkdir -p "$BASE"
BASE=$(cd "$BASE" && pwd -P)
if [[ ! -f $BASE/$MARKER && -n $(ls -A "$BASE") ]]; then
  die "$BASE is not empty and was not made by this script; give an empty or new folder"
fi
touch "$BASE/$MARKER"
chmod 700 "$BASE"

SOCK=$BASE/docker.sock
# Unix socket paths are limited to ~107 bytes.
(( ${#SOCK} <= 100 )) || die "the socket path $SOCK is too long for a Unix socket; give a shorter BASE"
HOST=unix://$SOCK

engine_up() { "$DOCKER" -H "$HOST" version >/dev/null 2>&1; }

# --- 3. dockerd ---------------------------------------------------------------------------
if engine_up; then
  log "reusing the engine already answering on $HOST"
else
  # A pid file left by an engine that died would make dockerd refuse to start.
  if [[ -f $BASE/dockerd.pid ]]; then
    old=$(<"$BASE/dockerd.pid")
    if [[ -n $old ]] && kill -0 "$old" 2>/dev/null; then
      die "dockerd (pid $old) from $BASE is running but does not answer on $HOST; stop it with: bash scripts/stop-docker.sh $BASE"
    fi
    rm -f "$BASE/dockerd.pid"
  fi
  log "starting dockerd on $HOST"
  # setsid: the engine must outlive this script and the shell that evals its output, and
  # not get their terminal's signals.
  setsid "$DOCKERD" -H "$HOST" \
    --data-root "$BASE/data" --exec-root "$BASE/exec" --pidfile "$BASE/dockerd.pid" \
    >"$BASE/dockerd.log" 2>&1 </dev/null &
  for ((i = 0; i < 300; i++)); do
    engine_up && break
    sleep 0.1
  done
  if ! engine_up; then
    tail -n 20 "$BASE/dockerd.log" >&2 || true
    die "dockerd did not answer on $HOST within 30 s (log: $BASE/dockerd.log)"
  fi
fi

# --- 4. the default image -----------------------------------------------------------------
# busybox-static is one static binary: a root filesystem of it and its applet links is a
# complete image, with the nobody user the workspaces run as.
if ! "$DOCKER" -H "$HOST" image inspect "$IMAGE" >/dev/null 2>&1; then
  log "making $IMAGE from $BUSYBOX"
  ROOTFS=$BASE/rootfs-busybox
  rm -rf "$ROOTFS"
  mkdir -p "$ROOTFS"/{bin,etc,tmp,proc,sys,dev,workspace}
  cp "$BUSYBOX" "$ROOTFS/bin/busybox"
  for applet in $("$BUSYBOX" --list); do
    [[ -e $ROOTFS/bin/$applet ]] || ln -s busybox "$ROOTFS/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$ROOTFS/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"
  chmod 1777 "$ROOTFS/tmp"
  tar -C "$ROOTFS" --numeric-owner -c . \
    | "$DOCKER" -H "$HOST" import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - "$IMAGE" >&2
  rm -rf "$ROOTFS"
fi

log "Docker engine is up on $HOST (pid $(cat "$BASE/dockerd.pid" 2>/dev/null || echo '?'); stop with: bash scripts/stop-docker.sh $BASE)"
echo "export DOCKER_HOST=$HOST"
