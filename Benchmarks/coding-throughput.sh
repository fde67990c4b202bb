#!/bin/bash
# Automatic coding throughput: `verbatim code` of a deterministic 100-rule codebook over a
# benchmark corpus, with --jobs 1 and --jobs 2 alternated, ROUNDS times each.
#   Benchmarks/coding-throughput.sh [TARGET_BYTES] [ROUNDS]      (default 1000000000, 3)
# The corpus (../shared/tools/build_bench_corpus.py --txt) and its imported project are cached
# under ${CODING_BENCH_CACHE:-/tmp/coding-bench}; the codebook comes from Benchmarks/coding-rules.py.
# Prints segments, codings, the median seconds and segments/minute per job count, and peak RSS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-1000000000}
rounds=${2:-3}
cache=${CODING_BENCH_CACHE:-/tmp/coding-bench}
tools=$root/../shared/tools/build_bench_corpus.py
if [ ! -f "$tools" ]; then echo "skipped: $tools not found"; exit 0; fi
mkdir -p "$cache"
(cd "$root" && swift build -c release --product verbatim >&2)
bin=$root/.build/release/verbatim
corpus=$cache/corpus-$target
if [ ! -f "$corpus/SUMMARY.json" ]; then
  python3 "$tools" --root "$root/../shared/corpora" --out "$corpus" --target-bytes "$target" --txt >&2
fi
project=$cache/project-$target
if [ ! -f "$project/.imported" ]; then
  rm -rf "$project"
  /usr/bin/time -f '%e s %M KB' -o "$cache/import-$target.time" "$bin" import --project "$project" "$corpus/txt" >&2
  echo "import: $(cat "$cache/import-$target.time")" >&2
  touch "$project/.imported"
fi
rules=$cache/rules-$target.yml
python3 "$root/Benchmarks/coding-rules.py" "$corpus/txt" "$rules"
segments=$("$bin" corpus --project "$project" --format jsonl | python3 -c 'import json,sys; print(sum(json.loads(l)["segments"] for l in sys.stdin))')
bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["text_bytes"])' "$corpus/SUMMARY.json")
codings=$("$bin" code --project "$project" --codebook "$rules" --jobs 2 | tail -n +2 | wc -l)
declare -A times rss cpu
for round in $(seq "$rounds"); do
  for jobs in 1 2; do
    /usr/bin/time -f '%e %M %U %S' -o "$cache/time" "$bin" code --project "$project" --codebook "$rules" --jobs "$jobs" >/dev/null
    read -r seconds kb user system <"$cache/time"
    times[$jobs]="${times[$jobs]:-} $seconds"; rss[$jobs]="${rss[$jobs]:-} $kb"
    cpu[$jobs]="${cpu[$jobs]:-} $(python3 -c "print($user + $system)")"
    echo "round $round, --jobs $jobs: $seconds s wall, $user s user, $system s sys, $kb KB; load $(cut -d' ' -f1 /proc/loadavg)" >&2
  done
done
python3 - "$bytes" "$segments" "$codings" "${times[1]}" "${times[2]}" "${rss[1]}" "${rss[2]}" "${cpu[1]}" "${cpu[2]}" <<'PY'
import statistics, sys
b, segs, codings = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print(f"corpus {b:,} bytes, {segs:,} segments; 100 rules; {codings:,} rows (coded segment × code)")
for jobs, t, r, c in ((1, sys.argv[4], sys.argv[6], sys.argv[8]), (2, sys.argv[5], sys.argv[7], sys.argv[9])):
    ts = [float(x) for x in t.split()]; rs = [int(x) for x in r.split()]; cs = [float(x) for x in c.split()]
    m = statistics.median(ts)
    print(f"--jobs {jobs}: median {m:.2f} s of {ts}; {segs / m * 60:,.0f} segments/min; {b / 1e6 / m:.1f} MB/s; "
          f"CPU (user+sys) median {statistics.median(cs):.1f} s; peak RSS {max(rs) / 1024:.0f} MB")
PY
