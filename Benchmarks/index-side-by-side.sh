#!/bin/bash
# Index build side by side: `verbatim index` (--jobs 1 and 2) against tantivy 0.27 (French
# stemming analyzer, positions, 1 and 2 threads) on the same folder, ROUNDS alternated rounds.
# Prints one line per run and, per configuration, the median seconds, MB/s, peak RSS and index size.
#   Benchmarks/index-side-by-side.sh CORPUS_DIR [ROUNDS]     (default ../shared/corpora/bench-pool, 3)
# Our time (`seconds` of `verbatim index --format jsonl`) covers reading the texts from the
# project (streamed, overlapping the analysis), analysis, segment building, the commit and the
# atomic write (not the distinct-term count of the summary line, taken after the commit: about
# 0.5 s at 1 GB, 0.8 s of process time in all outside `seconds`); tantivy's covers its
# indexing with documents preloaded in memory (peers.sh). Peak RSS is the whole process for both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/../shared/corpora/bench-pool}
rounds=${2:-3}
peers=$root/../shared/bench/peers.sh
if [ ! -d "$corpus" ]; then echo "skipped: $corpus not found"; exit 0; fi
if [ ! -x "$peers" ]; then echo "skipped: $peers not found"; exit 0; fi
(cd "$root" && swift build -c release --product verbatim >&2)
bin=$root/.build/release/verbatim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# VERBATIM_BENCH_PROJECT: an existing project already holding CORPUS_DIR (a 1 GB import takes
# minutes); its index folder is rebuilt by every run.
project=${VERBATIM_BENCH_PROJECT:-$work/p}
[ -n "${VERBATIM_BENCH_PROJECT:-}" ] || "$bin" import --project "$project" "$corpus" >/dev/null 2>&1 || true
results=$work/results.jsonl
for round in $(seq "$rounds"); do
  for jobs in 1 2; do
    rm -rf "$project/index"
    /usr/bin/time -f '%M' -o "$work/rss" "$bin" index --project "$project" --jobs "$jobs" --format jsonl >"$work/out"
    size=$(du -sb "$project/index" | cut -f1)
    python3 -c 'import json,sys
d=json.loads(open(sys.argv[1]).read()); d["name"]="verbatim.index.j"+sys.argv[2]; d["max_rss_kb"]=int(open(sys.argv[3]).read().split()[0]); d["index_bytes"]=int(sys.argv[4])
print(json.dumps(d))' "$work/out" "$jobs" "$work/rss" "$size" | tee -a "$results"
    "$peers" "$corpus" "^tantivy\.index\.fr_stem\.t$jobs\$" | tee -a "$results"
  done
done
python3 - "$results" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        d = json.loads(line); runs.setdefault(d["name"], []).append(d)
for name, rs in sorted(runs.items()):
    secs = statistics.median(r["seconds"] for r in rs)
    b = rs[0]["bytes"]
    rss = max(r["max_rss_kb"] for r in rs) / 1024
    size = rs[0].get("index_bytes")
    extra = f", index {size/1e6:.1f} MB ({size/b:.2f}x)" if size else ""
    print(f"{name}: median {secs:.2f} s of {[r['seconds'] for r in rs]}, {b/1e6/secs:.1f} MB/s, peak RSS {rss:.0f} MB{extra}")
PY
