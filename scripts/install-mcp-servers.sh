#!/usr/bin/env bash
# Install the MCP servers that the routing tests run against: real servers from npm, at pinned
# versions.
#
#   bash scripts/install-mcp-servers.sh [DIR]
#
# - DIR defaults to tests/.mcp-servers (git-ignored). A relative DIR is taken from the current
#   folder. The tests find the servers through TASKFLOW_MCP_SERVERS=<absolute DIR> (or, when
#   that is unset, in tests/.mcp-servers).
# - Writes DIR/package.json with the exact versions below and runs npm install there, without
#   install scripts. Does nothing when DIR/node_modules already holds exactly these versions.
# - Needs node (18 or later) and npm; the servers start offline, only the install needs the
#   npm registry. All output goes to stderr.
set -euo pipefail

log() { printf 'install-mcp-servers: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Exact versions: a server update must be a deliberate change here, not a surprise in CI.
# mcp-server-commands stays on 0.5.0 because it still speaks protocol 2024-11-05, the oldest
# revision the router has to support. claude-flow is the CLI the hooks stay compatible with (and an
# MCP server of protocol 2024-11-05); it is the largest by far (about 390 packages, 780 MB).
# memory-bank-mcp is the reference report's memory-bank server (the report's `memory.*` failover
# pairs it with server-memory); server-postgres keeps running after its stdin closes, which the
# gateway's shutdown has to handle.
PACKAGES=(
  "@modelcontextprotocol/server-memory@2026.8.31"
  "@modelcontextprotocol/server-filesystem@2026.8.31"
  "@modelcontextprotocol/server-everything@2026.8.31"
  "mcp-server-commands@0.5.0"
  "claude-flow@3.43.0"
  "@allpepper/memory-bank-mcp@0.2.2"
  "@modelcontextprotocol/server-postgres@0.6.2"
)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$ROOT/tests/.mcp-servers}

command -v node >/dev/null 2>&1 || die "node is not on PATH: install Node.js 18 or later (with npm), then run this script again"
command -v npm >/dev/null 2>&1 || die "npm is not on PATH: install npm (it ships with Node.js), then run this script again"

node_major=$(node -p 'process.versions.node.split(".")[0]')
(( node_major >= 18 )) || die "node $(node --version) is too old: the MCP servers need Node.js 18 or later"

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

# Prints the version of the package installed in DIR/node_modules/$1, or nothing.
installed_version() {
  local manifest=$DIR/node_modules/$1/package.json
  if [[ -f $manifest ]]; then
    node -p 'require(process.argv[1]).version' "$manifest" 2>/dev/null || true
  fi
}

missing=()
for spec in "${PACKAGES[@]}"; do
  name=${spec%@*}
  version=${spec##*@}
  have=$(installed_version "$name")
  if [[ $have != "$version" ]]; then
    missing+=("$spec${have:+ (found $have)}")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "MCP servers already installed in $DIR"
  exit 0
fi

log "installing into $DIR: ${missing[*]}"

# The manifest pins every server exactly; npm resolves their own dependencies.
deps=""
for spec in "${PACKAGES[@]}"; do
  deps+="${deps:+,}"$'\n'"    \"${spec%@*}\": \"${spec##*@}\""
done
cat >"$DIR/package.json" <<EOF
{
  "name": "taskflow-mcp-test-servers",
  "description": "MCP servers for the TaskFlow routing tests, written by scripts/install-mcp-servers.sh",
  "private": true,
  "dependencies": {$deps
  }
}
EOF

started=$SECONDS
(cd "$DIR" && npm install --no-audit --no-fund --ignore-scripts </dev/null >&2) \
  || die "npm install failed in $DIR (is the npm registry reachable? see npm's messages above)"

for spec in "${PACKAGES[@]}"; do
  name=${spec%@*}
  version=${spec##*@}
  have=$(installed_version "$name")
  [[ $have == "$version" ]] || die "npm install finished but $name is ${have:-missing} in $DIR/node_modules (expected $version)"
done

log "installed ${#PACKAGES[@]} MCP servers in $DIR in $(( SECONDS - started ))s"
