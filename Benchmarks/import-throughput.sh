#!/bin/bash
# Import throughput: `verbatim import --jobs 1` and `--jobs 2` of a folder into fresh projects,
# alternated ROUNDS times, then one re-import of the unchanged folder. Prints median wall
# seconds, MB/s, CPU seconds and peak RSS per setting.
#   Benchmarks/import-throughput.sh [CORPUS_DIR] [ROUNDS]   (default ../shared/corpora/bench-pool, 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/../shared/corpora/bench-pool}
rounds=${2:-3}
if [ ! -d "$corpus" ]; then echo "skipped: $corpus not found"; exit 0; fi
(cd "$root" && swift build -c release --product verbatim >&2)
bin=$root/.build/release/verbatim
project=$(mktemp -d)
trap 'rm -rf "$project"' EXIT
bytes=$(find "$corpus" -type f \( -name '*.txt' -o -name '*.csv' -o -name '*.jsonl' -o -name '*.md' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
: >"$project/runs"
for round in $(seq "$rounds"); do
  for jobs in 1 2; do
    rm -rf "$project/p"
    /usr/bin/time -f '%e %U %S %M' -o "$project/time" "$bin" import --jobs "$jobs" --project "$project/p" --format jsonl "$corpus" >/dev/null
    read -r seconds user system rss <"$project/time"
    echo "$jobs $seconds $user $system $rss" >>"$project/runs"
    echo "round $round, --jobs $jobs: ${seconds} s, CPU $user + $system s, ${rss} KB" >&2
  done
done
/usr/bin/time -f '%e %M' -o "$project/time" "$bin" import --project "$project/p" --format jsonl "$corpus" >/dev/null
read -r again again_rss <"$project/time"
size=$(du -sb "$project/p" | cut -f1)
python3 - "$bytes" "$again" "$size" "$project/runs" <<'PY'
import statistics, sys
b, again, size, runs = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
by = {}
for line in open(runs):
    jobs, seconds, user, system, rss = line.split()
    by.setdefault(jobs, []).append((float(seconds), float(user) + float(system), int(rss)))
print(f"input {b:,} bytes; re-import unchanged {again:.2f} s; project {size/1e6:.0f} MB")
for jobs, rows in sorted(by.items()):
    m = statistics.median(r[0] for r in rows); cpu = statistics.median(r[1] for r in rows)
    print(f"--jobs {jobs}: median {m:.2f} s ({b/1e6/m:.1f} MB/s), CPU {cpu:.2f} s, peak RSS {max(r[2] for r in rows)/1024:.0f} MB, runs {[r[0] for r in rows]}")
PY
