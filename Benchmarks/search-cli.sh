#!/bin/bash
# What a user waits for: `verbatim search` and `verbatim kwic` as commands, a new process each
# time, printing every row (nothing cached between runs but the page cache). For each query:
# rows printed, median wall seconds over ROUNDS runs and peak RSS, for search and for kwic.
#   Benchmarks/search-cli.sh PROJECT [ROUNDS] [QUERY...]
# PROJECT is an imported and indexed project (e.g. the 1 GB corpus of build_bench_corpus.py);
# default queries: a frequent word, a rarer one and a phrase.
# Environment:
#   VERBATIM=BIN   time this binary (e.g. another build, run alternately with this one)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
project=${1:?usage: search-cli.sh PROJECT [ROUNDS] [QUERY...]}
rounds=${2:-3}
shift $(($# < 2 ? $# : 2))
queries=("$@")
[ ${#queries[@]} -gt 0 ] || queries=(avons plaignit '"numérique responsable"')
if [ ! -f "$project/index/manifest.json" ]; then
  echo "$project: not an indexed project (run verbatim import and verbatim index first)" >&2
  exit 1
fi
bin=${VERBATIM:-}
if [ -z "$bin" ]; then
  (cd "$root" && swift build -c release --product verbatim >&2)
  bin=$root/.build/release/verbatim
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'command\tquery\trows\tmedian_s\truns_s\tpeak_kb\n'
for query in "${queries[@]}"; do
  for command in search kwic; do
    times=()
    peak=0
    for _ in $(seq "$rounds"); do
      /usr/bin/time -f '%e %M' -o "$work/time" "$bin" "$command" "$query" --project "$project" >"$work/out"
      read -r seconds kb <"$work/time"
      times+=("$seconds")
      [ "$kb" -gt "$peak" ] && peak=$kb
    done
    rows=$(($(wc -l <"$work/out") - 1))
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$command" "$query" "$rows" "$median" "$(IFS=,; echo "${times[*]}")" "$peak"
  done
done
