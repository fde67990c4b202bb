#!/bin/bash
# Query latency: imports and indexes CORPUS_DIR into a fresh project (or reuses an indexed one),
# then times 100 queries of each kind (Benchmarks/make-queries.py) inside one process, after a
# warm-up pass: median and p99 in milliseconds per kind, hits enumerated and the median hits
# of one query, plus build time and index size.
#   Benchmarks/query-latency.sh [CORPUS_DIR] [QUERIES_PER_KIND]   (default ../shared/corpora/bench-pool, 100)
# Environment:
#   PROJECT=DIR   reuse this project (imported and indexed from CORPUS_DIR already): no import,
#                 no index build; CORPUS_DIR is still read for the query words.
#   LIMIT=N       also time the first page: the first N hits of each query (`search --limit N`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/../shared/corpora/bench-pool}
count=${2:-100}
if [ ! -d "$corpus" ]; then echo "skipped: $corpus not found"; exit 0; fi
(cd "$root" && swift build -c release --product verbatim >&2)
bin=$root/.build/release/verbatim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/Benchmarks/make-queries.py" "$corpus" "$count" >"$work/queries.tsv"
project=${PROJECT:-}
if [ -z "$project" ]; then
  project=$work/p
  "$bin" import --project "$project" "$corpus" >/dev/null 2>&1
  /usr/bin/time -f '%e s, peak %M KB' "$bin" index --project "$project" --jobs 2 2>&1 | tail -2 >&2
elif [ ! -f "$project/index/manifest.json" ]; then
  echo "$project: not an indexed project (run verbatim import and verbatim index first)" >&2
  exit 1
fi
echo "index: $(du -sb "$project/index" | cut -f1) bytes" >&2
echo "all hits:" >&2
"$bin" search --time-queries "$work/queries.tsv" --project "$project" x
if [ -n "${LIMIT:-}" ]; then
  echo "first $LIMIT hits:" >&2
  "$bin" search --time-queries "$work/queries.tsv" --limit "$LIMIT" --project "$project" x
fi
