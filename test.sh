#!/usr/bin/env bash
# Sets up (see setup.sh) and runs the whole test suite. CI calls this through .ci/run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
./setup.sh
mkdir -p out/test-results
set +e
dotnet test QaPipeline.sln -c Release --no-build -nologo --logger "console;verbosity=normal" \
  --logger "trx" --results-directory out/test-results 2>&1 | tee out/test-results/console.log
status=${PIPESTATUS[0]}
set -e
# CI shows only the tail of this output: name each failed test with the first line of its message just before
# the closing line, so a failure is readable there without the trx files.
awk '/^ *Failed [^ ]/ { name = $0; sub(/^ *Failed /, "", name); want = 1; next }
     want && /^ *Error Message:/ { getline msg; sub(/^ */, "", msg); print "FAILED " name " :: " substr(msg, 1, 300); want = 0 }' \
  out/test-results/console.log
# One closing line in the plain form CI reads: "tests: N passed, N failed, N skipped".
awk '/^ *Passed: *[0-9]+ *$/ { p += $2 } /^ *Failed: *[0-9]+ *$/ { f += $2 } /^ *Skipped: *[0-9]+ *$/ { s += $2 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' out/test-results/console.log
exit "$status"
