#!/bin/bash
# Side-by-side benchmark of Verbatim's analysis chain and stemmer against the peers of
# ../shared/bench (ICU word break in C, Debian libstemmer, tantivy's French analyzer, spaCy's
# French tokenizer), in one session, alternating the runs round by round.
#
#   Benchmarks/side-by-side.sh [CORPUS_DIR] [ROUNDS]
#
# CORPUS_DIR: .txt files (default ../shared/corpora/bench-pool, about 83 MB); ROUNDS: 5.
# Every program times only its own work on documents already in memory (reading excluded),
# as the peers do. Raw runs go to Benchmarks/results/analysis-runs.jsonl; the medians and
# ratios to Benchmarks/results/analysis.md (folded by hand into Benchmarks/RESULTS.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
if [ ! -x "$shared/bench/peers.sh" ]; then echo "skipped: $shared/bench/peers.sh not found"; exit 0; fi
corpus=$(cd "${1:-$shared/corpora/bench-pool}" && pwd)
rounds=${2:-5}
cache=${VERBATIM_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/verbatim-peers}
(cd "$root" && swift build -c release --product verbatim >&2)
bin=$root/.build/release/verbatim
runs=$root/Benchmarks/results/analysis-runs.jsonl
: >"$runs"
list=$(mktemp); find "$corpus" -type f -name '*.txt' | LC_ALL=C sort >"$list"
mapfile -t files <"$list"
ours() { # name, command...: tags our JSON line with its name
  local name=$1; shift
  "$@" | tail -n 1 | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d["name"]=sys.argv[1]; print(json.dumps(d))' "$name" >>"$runs"
}
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  "$shared/bench/peers.sh" "$corpus" '^(icu_wb\.u(8|16)\.t[12]|tantivy\.analyze\.fr_stem|spacy\.tokenizer)$' >>"$runs"
  ours verbatim.analyze.t1 "$bin" tokens --count --format jsonl --jobs 1 "${files[@]}"
  ours verbatim.analyze.t2 "$bin" tokens --count --format jsonl --jobs 2 "${files[@]}"
  # The same chain with ICU's own iterator (UTF-16) instead of the replayed word rules.
  ours verbatim.analyze.icu-utf16.t1 "$bin" tokens --count --format jsonl --jobs 1 --break-route utf16 "${files[@]}"
  # Unique words of the corpus (lowercased ICU word tokens, dumped by peers.sh): the stemmers.
  unique=$cache/work/unique-words.txt
  [ -s "$unique" ] || LC_ALL=C sort -u "$cache/work/tokens.txt" >"$unique"
  "$cache/bin/stem_c" "$unique" 1 | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d["name"]="stem_c.unique"; print(json.dumps(d))' >>"$runs"
  ours verbatim.stem.unique "$bin" stem --time-file "$unique"
done
rm -f "$list"
python3 - "$runs" "$root/Benchmarks/results/analysis.md" "$corpus" "$rounds" <<'PY'
import json, statistics, sys, platform, subprocess
runs, out, corpus, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
by = {}
for line in open(runs):
    line = line.strip()
    if not line: continue
    d = json.loads(line)
    if "seconds" not in d: continue
    by.setdefault(d["name"], []).append(d)
def med(name, key="seconds"):
    return statistics.median(x[key] for x in by[name]) if name in by else None
rows = []
for name in sorted(by):
    d = by[name]; s = med(name); b = d[0].get("bytes"); t = d[0].get("tokens")
    mbps = b / 1e6 / s if b and s else None
    rows.append((name, len(d), s, mbps, t, t / s if t and s else None))
lines = [f"Corpus: `{corpus}`, {rounds} rounds alternated; medians of each program's own timed phase.", "",
         "| run | n | median s | MB/s | tokens | tokens/s |", "|---|---|---|---|---|---|"]
for name, n, s, mbps, t, tps in rows:
    lines.append(f"| {name} | {n} | {s:.3f} | {mbps:.1f} | {t} | {tps:,.0f} |" if mbps else f"| {name} | {n} | {s:.3f} | | {t} | {tps:,.0f} |")
def ratio(a, b, key="seconds"):
    if a not in by or b not in by: return None
    return med(b) / med(a)   # throughput of a relative to b (same bytes)
lines += ["", "Ratios of median throughput (higher is better for Verbatim):", ""]
for a, b, label in [("verbatim.analyze.t1", "icu_wb.u16.t1", "analysis chain per core vs ICU word break alone (UTF-16), 1 thread"),
                    ("verbatim.analyze.t1", "icu_wb.u8.t1", "analysis chain per core vs ICU word break alone (UTF-8 UText), 1 thread"),
                    ("verbatim.analyze.t2", "icu_wb.u16.t2", "analysis chain vs ICU word break, 2 threads"),
                    ("verbatim.analyze.t2", "verbatim.analyze.t1", "analysis chain, 2 threads vs 1"),
                    ("verbatim.analyze.t1", "verbatim.analyze.icu-utf16.t1", "analysis chain with the replayed word rules vs with ICU's iterator (UTF-16), 1 thread")]:
    r = ratio(a, b)
    if r: lines.append(f"- {label}: **{r:.2f}×**")
if "spacy.tokenizer" in by and "verbatim.analyze.t1" in by:
    sp = by["spacy.tokenizer"][0]; v = by["verbatim.analyze.t1"][0]
    r = (v["bytes"] / med("verbatim.analyze.t1")) / (sp["bytes"] / med("spacy.tokenizer"))
    lines.append(f"- analysis chain (1 thread) vs spaCy's French tokenizer (MB/s; spaCy on its first 16 MB): **{r:.0f}×**")
if "tantivy.analyze.fr_stem" in by and "verbatim.analyze.t1" in by:
    lines.append(f"- analysis chain (1 thread) vs tantivy's French stemming analyzer (called from Python): **{ratio('verbatim.analyze.t1', 'tantivy.analyze.fr_stem'):.2f}×**")
if "stem_c.unique" in by and "verbatim.stem.unique" in by:
    lines.append(f"- Snowball 3 stemmer in Swift vs Debian libstemmer C (Snowball 2.2), unique words, 1 thread: **{ratio('verbatim.stem.unique', 'stem_c.unique'):.2f}×**")
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
