#!/bin/bash
# REFI-QDA exchange speed: `verbatim export --qdpx` of a project holding CORPUS, then
# `verbatim import --qdpx` of that archive into a new project. Prints wall seconds, peak RSS,
# archive size, and checks the exported project.qde against Project.xsd when xmllint is there.
#   Benchmarks/refi-exchange.sh [CORPUS_DIR]   (default ../shared/corpora/bench-pool)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/../shared/corpora/bench-pool}
if [ ! -d "$corpus" ]; then echo "skipped: $corpus not found"; exit 0; fi
(cd "$root" && swift build -c release --product verbatim >&2)
bin=$root/.build/release/verbatim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" import --project "$work/p" --format jsonl "$corpus" >/dev/null
measure() {  # LABEL COMMAND…
  local label=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" 2>"$work/stderr" >/dev/null
  read -r seconds user system rss <"$work/time"
  echo "$label: ${seconds} s wall, ${user} s user + ${system} s sys, peak ${rss} KB; load $(cut -d' ' -f1 /proc/loadavg); $(tail -1 "$work/stderr")"
}
measure "export --qdpx" "$bin" export --qdpx "$work/bench.qdpx" --project "$work/p"
echo "archive: $(stat -c %s "$work/bench.qdpx") bytes; $(python3 -m zipfile -l "$work/bench.qdpx" | tail -n +2 | wc -l) entries"
mkdir "$work/again"
measure "export --qdpx (again)" "$bin" export --qdpx "$work/again/bench.qdpx" --project "$work/p"
cmp "$work/bench.qdpx" "$work/again/bench.qdpx" && echo "second export: byte-identical"
measure "import --qdpx" "$bin" import --qdpx "$work/bench.qdpx" --project "$work/q"
schema=$root/../shared/reference/refi-qda/Project.xsd
if command -v xmllint >/dev/null && [ -f "$schema" ]; then
  python3 -m zipfile -e "$work/bench.qdpx" "$work/x"
  xmllint --noout --schema "$schema" "$work/x/project.qde" 2>&1 | tail -1
fi
