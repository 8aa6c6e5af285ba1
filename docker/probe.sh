#!/usr/bin/env bash
# Health probes for the TaskFlow image. The .NET runtime image has bash but neither curl nor
# wget, so the probes speak TCP and HTTP/1.1 through bash's /dev/tcp.
#
#   taskflow-probe http PATH [PORT]   exit 0 when GET http://127.0.0.1:PORT/PATH answers 200 (PORT: 5080)
#   taskflow-probe tcp HOST PORT      exit 0 when a TCP connection to HOST:PORT opens
#
# Each gives up after 5 seconds and says why on stderr. Exit code 1 is "unhealthy", 2 a usage error.
set -euo pipefail

usage() {
  echo "usage: taskflow-probe http PATH [PORT] | taskflow-probe tcp HOST PORT" >&2
  exit 2
}

case ${1:-} in
  http)
    path=${2:-}
    port=${3:-5080}
    [[ $path == /* && $port =~ ^[0-9]+$ ]] || usage
    if ! { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      echo "nothing listens on 127.0.0.1:$port" >&2
      exit 1
    fi
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3
    status=""
    if ! IFS= read -r -t 5 status <&3; then
      echo "no answer from http://127.0.0.1:$port$path within 5 s" >&2
      exit 1
    fi
    status=${status%$'\r'}
    if ! [[ $status =~ ^HTTP/[0-9.]+\ 200(\ |$) ]]; then
      echo "http://127.0.0.1:$port$path answered '$status'" >&2
      exit 1
    fi
    ;;
  tcp)
    host=${2:-}
    port=${3:-}
    [[ -n $host && $port =~ ^[0-9]+$ ]] || usage
    # timeout(1) bounds the connect: to an unreachable host it would otherwise wait for the kernel.
    if ! timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null; then
      echo "cannot open a TCP connection to $host:$port" >&2
      exit 1
    fi
    ;;
  *)
    usage
    ;;
esac
