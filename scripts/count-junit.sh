#!/usr/bin/env bash
# Count test outcomes in JUnit XML files (as Vitest's junit reporter writes them).
# Usage: bash scripts/count-junit.sh FILE.xml...
# Prints one line on stdout: "PASSED FAILED SKIPPED" (three numbers), like count-trx.sh.
#
# It counts <testcase> elements: one with a <failure> or <error> child failed, one with a
# <skipped> child was skipped, any other passed. It does not trust the tests/failures totals of
# <testsuite>, which not every writer keeps in step with the cases. Plain awk (mawk or gawk).
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 FILE.xml..." >&2
  exit 2
fi

# Records split at '<', so each begins with a tag name (attribute values cannot hold a raw '<').
awk 'BEGIN { RS = "<"; passed = 0; failed = 0; skipped = 0; open = 0 }
function finish() {
  if (!open) return
  if (outcome == "failed") failed++
  else if (outcome == "skipped") skipped++
  else passed++
  open = 0
}
{
  rec = $0
  gsub(/[\r\n\t]/, " ", rec)
  if (rec ~ /^testcase[ >\/]/) {
    finish()
    open = 1
    outcome = "passed"
    tag = rec
    sub(/>.*/, "", tag)
    if (tag ~ /\/$/) finish()
    next
  }
  if (!open) next
  if (rec ~ /^(failure|error)[ >\/]/) outcome = "failed"
  else if (rec ~ /^skipped[ >\/]/ && outcome != "failed") outcome = "skipped"
  else if (rec ~ /^\/testcase[ >]/) finish()
}
END { finish(); printf "%d %d %d\n", passed, failed, skipped }' "$@"
