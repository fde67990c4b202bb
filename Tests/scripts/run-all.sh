#!/bin/bash
# Runs every oracle script in this folder against a built `verbatim` binary.
# Usage: Tests/scripts/run-all.sh PATH/TO/verbatim
# Each script exits 0 (passed or skipped with a message) or non-zero (failed).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export VERBATIM_BIN="$bin" VERBATIM_STEM_CMD="$bin stem"
passed=0; failed=0
for script in "$here"/*.sh; do
  [ "$(basename "$script")" = run-all.sh ] && continue
  echo "== $(basename "$script")"
  if bash "$script"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $(basename "$script")"; fi
done
echo "scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
