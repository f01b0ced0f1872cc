#!/usr/bin/env bash
# Installs what is missing and runs every test of the solution; exits with the test run's code.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/lib.sh

ensure_bubblewrap
ensure_dotnet

# --- PostgreSQL -----------------------------------------------------------------------------
# A throwaway cluster of our own for the PostgreSQL store's tests (never an existing server):
# initdb into a temp dir as user postgres, a free loopback port, stopped and removed on exit.
# The tests read its superuser connection string from BULWARK_TEST_POSTGRES and fail, never
# skip, when it is missing.
ensure_postgres
pg_dir=$(mktemp -d -u /tmp/bulwark-test-pg.XXXXXX)
log=$(mktemp)
trap 'rm -f "$log"; scripts/test-postgres.sh stop "$pg_dir"' EXIT
BULWARK_TEST_POSTGRES=$(scripts/test-postgres.sh start "$pg_dir")
export BULWARK_TEST_POSTGRES
# ---------------------------------------------------------------------------------------------

set +e
dotnet test Bulwark.slnx -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test assemblies' own summaries
# ("Passed: N" lines at normal verbosity, "Passed!  - Failed: N, Passed: N, ..." at minimal).
awk '
  /^ +(Passed|Failed|Skipped): +[0-9]+ *$/ {
    count[$1] += $2
  }
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
    line = $0
    gsub(/,/, "", line)
    n = split(line, w, / +/)
    for (i = 1; i < n; i++) {
      if (w[i] == "Failed:" || w[i] == "Passed:" || w[i] == "Skipped:") count[w[i]] += w[i + 1]
    }
  }
  END { printf "%d passed, %d failed, %d skipped\n", count["Passed:"], count["Failed:"], count["Skipped:"] }
' "$log"

exit "$status"
