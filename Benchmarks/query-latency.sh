#!/bin/bash
# Query latency: imports and indexes CORPUS_DIR into a fresh project, then times 100 queries of
# each kind (Benchmarks/make-queries.py) inside one process, after a warm-up pass: median and
# p99 in milliseconds per kind, plus build time and index size.
#   Benchmarks/query-latency.sh [CORPUS_DIR] [QUERIES_PER_KIND]   (default ../shared/corpora/bench-pool, 100)
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
"$bin" import --project "$work/p" "$corpus" >/dev/null 2>&1
/usr/bin/time -f '%e s, peak %M KB' "$bin" index --project "$work/p" --jobs 2 2>&1 | tail -2 >&2
echo "index: $(du -sb "$work/p/index" | cut -f1) bytes" >&2
"$bin" search --time-queries "$work/queries.tsv" --project "$work/p" x
