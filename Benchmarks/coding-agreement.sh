#!/bin/bash
# Human codings and agreement at scale: imports CORPUS into a fresh project, makes two coders'
# seeded random codings (PER_CODER each, on segment boundaries, 20 codes; coder B repeats
# 70 % of A's codings and draws the rest), then times `coding import`, `coding export`,
# `agree` by segment, turn and character, and `themes`. Prints wall seconds and peak RSS.
#   Benchmarks/coding-agreement.sh [CORPUS_DIR] [PER_CODER]
#   (default ../shared/corpora/an-debats-2013/transcripts, 20000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/../shared/corpora/an-debats-2013/transcripts}
per_coder=${2:-20000}
if [ ! -d "$corpus" ]; then echo "skipped: $corpus not found"; exit 0; fi
(cd "$root" && swift build -c release --product verbatim >&2)
bin=$root/.build/release/verbatim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" import --project "$work/p" "$corpus" 2>/dev/null || true
python3 - "$work/p/project.sqlite" "$per_coder" >"$work/codings.csv" <<'PY'
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
per_coder = int(sys.argv[2])
segments = db.execute('SELECT document_id, start, "end" FROM segments ORDER BY document_id, ordinal').fetchall()
rng = random.Random(20261130)
codes = [f"Thème {i // 5}/Sous-thème {i % 5}" for i in range(20)]
print("coder,document,start,end,code")
seen = set()
def coding(coder):
    while True:
        i = rng.randrange(len(segments) - 3)
        j = i + rng.randrange(3)
        if segments[j][0] != segments[i][0]:
            continue
        row = (coder, segments[i][0], segments[i][1], segments[j][2], rng.choice(codes))
        if row not in seen:
            seen.add(row)
            return row
first = [coding("A") for _ in range(per_coder)]
for row in first:
    print(*row, sep=",")
for row in first:
    if rng.random() < 0.7 and ("B",) + row[1:] not in seen:
        seen.add(("B",) + row[1:])
        print("B", *row[1:], sep=",")
    else:
        print(*coding("B"), sep=",")
PY
rows=$(($(wc -l <"$work/codings.csv") - 1))
bytes=$(du -b "$corpus" | tail -1 | cut -f1)
echo "corpus $corpus ($bytes bytes), $rows codings" >&2
measure() {
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err"
  read -r seconds rss <"$work/time"
  echo "$label: ${seconds} s, peak RSS ${rss} KB, $(wc -l <"$work/out") output lines"
}
measure "coding import ($rows rows)" "$bin" coding import --project "$work/p" "$work/codings.csv"
measure "coding export" "$bin" coding export --project "$work/p"
measure "agree --unit segment" "$bin" agree --project "$work/p" --unit segment
measure "agree --unit turn" "$bin" agree --project "$work/p" --unit turn
measure "agree --unit character" "$bin" agree --project "$work/p" --unit character
measure "themes (segments)" "$bin" themes --project "$work/p"
measure "themes --by speaker" "$bin" themes --project "$work/p" --by speaker
"$bin" agree --project "$work/p" --unit segment | tail -1 >&2
