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
# pairs it with server-memory).
PACKAGES=(
  "@modelcontextprotocol/server-memory@2026.8.31"
  "@modelcontextprotocol/server-filesystem@2026.8.31"
  "@modelcontextprotocol/server-everything@2026.8.31"
  "mcp-server-commands@0.5.0"
  "claude-flow@3.43.0"
  "@allpepper/memory-bank-mcp@0.2.2"
)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/npm-pinned.sh
source "$ROOT/scripts/npm-pinned.sh"
DIR=$(npm_pinned_prepare "${1:-$ROOT/tests/.mcp-servers}")

mapfile -t missing < <(npm_pinned_missing "$DIR")
if [[ ${#missing[@]} -eq 0 ]]; then
  log "MCP servers already installed in $DIR"
  exit 0
fi

log "installing into $DIR: ${missing[*]}"
started=$SECONDS
npm_pinned_install "$DIR" "taskflow-mcp-test-servers" "MCP servers for the TaskFlow routing tests, written by scripts/install-mcp-servers.sh"
log "installed ${#PACKAGES[@]} MCP servers in $DIR in $(( SECONDS - started ))s"
