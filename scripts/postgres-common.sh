# Shared by start-postgres.sh and stop-postgres.sh (sourced, not run).

# Run a command as the postgres user (the server refuses to run as root), from a directory it can read.
as_postgres() {
  if command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u postgres -- "$@")
  else
    local q
    q=$(printf '%q ' "$@")
    (cd / && su postgres -s /bin/sh -c "$q")
  fi
}
