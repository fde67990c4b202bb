#!/bin/bash
# Import throughput: `verbatim import` of a folder into a fresh project, ROUNDS times, then one
# re-import of the unchanged folder. Prints wall seconds (median), MB/s and peak RSS.
#   Benchmarks/import-throughput.sh [CORPUS_DIR] [ROUNDS]   (default ../shared/corpora/bench-pool, 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/../shared/corpora/bench-pool}
rounds=${2:-3}
if [ ! -d "$corpus" ]; then echo "skipped: $corpus not found"; exit 0; fi
(cd "$root" && swift build -c release --product verbatim >&2)
bin=$root/.build/release/verbatim
project=$(mktemp -d)
bytes=$(find "$corpus" -type f \( -name '*.txt' -o -name '*.csv' -o -name '*.jsonl' -o -name '*.md' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
times=()
for round in $(seq "$rounds"); do
  rm -rf "$project/p"
  /usr/bin/time -f '%e %M' -o "$project/time" "$bin" import --project "$project/p" --format jsonl "$corpus" >/dev/null
  read -r seconds rss <"$project/time"; times+=("$seconds"); echo "round $round: ${seconds} s, ${rss} KB" >&2
done
/usr/bin/time -f '%e %M' -o "$project/time" "$bin" import --project "$project/p" --format jsonl "$corpus" >/dev/null
read -r again again_rss <"$project/time"
size=$(du -sb "$project/p" | cut -f1)
python3 - "$bytes" "$again" "$size" "${times[@]}" <<'PY'
import statistics, sys
b, again, size, times = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), [float(x) for x in sys.argv[4:]]
m = statistics.median(times)
print(f"input {b:,} bytes; import median {m:.2f} s ({b/1e6/m:.1f} MB/s) over {len(times)} runs {times}; "
      f"re-import unchanged {again:.2f} s; project {size/1e6:.0f} MB")
PY
rm -rf "$project"
