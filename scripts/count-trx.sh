#!/usr/bin/env bash
# Count test outcomes in VSTest TRX files.
# Usage: bash scripts/count-trx.sh FILE.trx...
# Prints one line on stdout: "PASSED FAILED SKIPPED" (three numbers).
#
# It counts the top-level <UnitTestResult outcome="..."> elements (results nested in
# <InnerResults> are parts of a data-driven parent and are not counted again). It does not
# trust <Counters>, whose notExecuted stays 0 for skipped xunit tests.
#   passed:  Passed, PassedButRunAborted, Completed, Warning
#   failed:  Failed, Error, Timeout, Aborted, Disconnected
#   skipped: NotExecuted (a skipped test), Inconclusive, NotRunnable, Pending, InProgress, or none
# Plain awk (mawk or gawk): no Python needed.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 FILE.trx..." >&2
  exit 2
fi

# Every record starts right after a '<', so it begins with a tag name. Attribute values
# cannot hold a raw '<' in XML, so a whole start tag is always inside one record.
awk 'BEGIN { RS = "<"; passed = 0; failed = 0; skipped = 0 }
FNR == 1 { depth = 0 }
{
  rec = $0
  gsub(/[\r\n\t]/, " ", rec)
  if (rec ~ /^InnerResults[ >\/]/) {
    if (rec !~ /^InnerResults[^>]*\/>/) depth++
    next
  }
  if (rec ~ /^\/InnerResults[ >]/) { if (depth > 0) depth--; next }
  if (rec !~ /^UnitTestResult[ >\/]/ || depth > 0) next
  tag = rec
  sub(/>.*/, "", tag)
  outcome = ""
  if (match(tag, /[ ]outcome="[^"]*"/)) {
    outcome = substr(tag, RSTART + 10, RLENGTH - 11)
  }
  if (outcome ~ /^(Passed|PassedButRunAborted|Completed|Warning)$/) passed++
  else if (outcome ~ /^(Failed|Error|Timeout|Aborted|Disconnected)$/) failed++
  else skipped++
}
END { printf "%d %d %d\n", passed, failed, skipped }' "$@"
