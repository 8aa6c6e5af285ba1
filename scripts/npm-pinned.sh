# Sourced by the scripts that install MCP servers from npm at pinned versions
# (scripts/install-mcp-servers.sh, bench/TaskFlow.Bench.Fleet/install-fleet.sh). Expects log and
# die to be defined, and PACKAGES to hold "name@version" entries.

# Checks node and npm, makes DIR absolute (printed).
npm_pinned_prepare() {
  command -v node >/dev/null 2>&1 || die "node is not on PATH: install Node.js 18 or later (with npm), then run this script again"
  command -v npm >/dev/null 2>&1 || die "npm is not on PATH: install npm (it ships with Node.js), then run this script again"
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  (( node_major >= 18 )) || die "node $(node --version) is too old: the MCP servers need Node.js 18 or later"
  mkdir -p "$1"
  (cd "$1" && pwd)
}

# Prints the version of package $2 installed in $1/node_modules, or nothing.
npm_pinned_version() {
  local manifest=$1/node_modules/$2/package.json
  if [[ -f $manifest ]]; then
    node -p 'require(process.argv[1]).version' "$manifest" 2>/dev/null || true
  fi
}

# Prints, one a line, the PACKAGES entries that $1/node_modules does not hold at exactly that version.
npm_pinned_missing() {
  local spec name version have
  for spec in "${PACKAGES[@]}"; do
    name=${spec%@*}
    version=${spec##*@}
    have=$(npm_pinned_version "$1" "$name")
    if [[ $have != "$version" ]]; then
      printf '%s\n' "$spec${have:+ (found $have)}"
    fi
  done
}

# Writes $1/package.json (name $2, description $3) pinning every PACKAGES entry exactly, runs npm
# install there without install scripts, and checks that every version landed.
npm_pinned_install() {
  local dir=$1 spec deps="" name version have
  for spec in "${PACKAGES[@]}"; do
    deps+="${deps:+,}"$'\n'"    \"${spec%@*}\": \"${spec##*@}\""
  done
  cat >"$dir/package.json" <<JSON
{
  "name": "$2",
  "description": "$3",
  "private": true,
  "dependencies": {$deps
  }
}
JSON
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts </dev/null >&2) \
    || die "npm install failed in $dir (is the npm registry reachable? see npm's messages above)"
  for spec in "${PACKAGES[@]}"; do
    name=${spec%@*}
    version=${spec##*@}
    have=$(npm_pinned_version "$dir" "$name")
    [[ $have == "$version" ]] || die "npm install finished but $name is ${have:-missing} in $dir/node_modules (expected $version)"
  done
}
