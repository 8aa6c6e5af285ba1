#!/usr/bin/env bash
# Install the MCP fleet of the fleet bench: the servers of the MCP Infrastructure Scaling Report
# that exist on npm, and stand-ins from npm for the ones that do not, at pinned versions.
#
#   bash bench/TaskFlow.Bench.Fleet/install-fleet.sh [DIR]
#
# - DIR defaults to bench/.fleet-servers (git-ignored). The bench finds the servers through
#   --servers DIR (or, when not given, in bench/.fleet-servers).
# - Writes DIR/package.json with the exact versions below and runs npm install there, without
#   install scripts: no browser download, no native build, nothing fetched at server start.
#   Does nothing when DIR/node_modules already holds exactly these versions.
# - Needs node (18 or later) and npm; the servers start offline, only the install needs the npm
#   registry. The install is large (claude-flow alone is about 780 MB): this is a bench, not CI.
# - ruv-swarm's native SQLite module is compiled from source (make, g++, python3, node headers).
#   All output goes to stderr.
set -euo pipefail

log() { printf 'install-fleet: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Exact versions: a server update must be a deliberate change here. Which report server each one
# stands for is in FleetCatalog.cs (bench/TaskFlow.Bench.Fleet), next to how it is started.
PACKAGES=(
  "@playwright/mcp@0.0.83"
  "@allpepper/memory-bank-mcp@0.2.2"
  "@modelcontextprotocol/server-puppeteer@2025.5.12"
  "mcp-ssh-manager@3.8.5"
  "@modelcontextprotocol/server-memory@2026.8.31"
  "nx-mcp@0.25.0"
  "@itseasy21/mcp-knowledge-graph@1.0.7"
  "@liuyoshio/mcp-compass@1.0.7"
  "@modelcontextprotocol/server-postgres@0.6.2"
  "mcp-server-fetch-typescript@0.1.1"
  "@modelcontextprotocol/server-filesystem@2026.8.31"
  "mcp-server-commands@0.5.0"
  "@cyanheads/git-mcp-server@2.15.3"
  "mcp-server-docker@1.0.0"
  "mcp-server-kubernetes@4.1.7"
  "claude-flow@3.43.0"
  "ruv-swarm@1.0.20"
  "@modelcontextprotocol/server-everything@2026.8.31"
  "@wonderwhy-er/desktop-commander@0.2.52"
)

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/npm-pinned.sh
source "$ROOT/scripts/npm-pinned.sh"
DIR=$(npm_pinned_prepare "${1:-$ROOT/bench/.fleet-servers}")
mapfile -t missing < <(npm_pinned_missing "$DIR")

# ruv-swarm opens its database through better-sqlite3, a native module that install scripts would
# fetch prebuilt from GitHub. Without them it is compiled here from source against the headers of
# the node that runs it (node-gyp ships with npm; needs make, a C++ compiler and python3, about a
# minute). The copy is the one ruv-swarm resolves: npm may nest it under ruv-swarm, because
# claude-flow wants another major version.
sqlite_dir() {
  (cd "$DIR" && node -p 'require("path").dirname(require.resolve("better-sqlite3/package.json", { paths: [process.argv[1]] }))' "$DIR/node_modules/ruv-swarm" 2>/dev/null) || true
}

build_sqlite() {
  local dir gyp nodedir
  dir=$(sqlite_dir)
  [[ -n $dir ]] || die "better-sqlite3 (a dependency of ruv-swarm) is not installed in $DIR"
  gyp=$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
  [[ -f $gyp ]] || gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
  [[ -f $gyp ]] || die "node-gyp (shipped with npm) was not found: ruv-swarm's better-sqlite3 cannot be built"
  nodedir=$(node -p 'require("path").resolve(process.execPath, "../..")')
  [[ -f $nodedir/include/node/node.h ]] || die "the node headers are missing in $nodedir/include/node (install the package with node's development headers)"
  log "building better-sqlite3 for ruv-swarm from source in $dir (headers in $nodedir/include/node)"
  (cd "$dir" && node "$gyp" rebuild --release --nodedir="$nodedir" -j 2 </dev/null >&2) \
    || die "building better-sqlite3 failed (needs make, g++ and python3; see the messages above)"
}

sqlite_built() {
  local dir
  dir=$(sqlite_dir)
  [[ -n $dir && -f $dir/build/Release/better_sqlite3.node ]]
}

if [[ ${#missing[@]} -eq 0 ]]; then
  sqlite_built || build_sqlite
  log "fleet already installed in $DIR"
  exit 0
fi

log "installing into $DIR: ${missing[*]}"
started=$SECONDS
npm_pinned_install "$DIR" "taskflow-bench-fleet" "The MCP fleet of the TaskFlow fleet bench, written by bench/TaskFlow.Bench.Fleet/install-fleet.sh"
build_sqlite

log "installed ${#PACKAGES[@]} MCP servers in $DIR in $(( SECONDS - started ))s"
