#!/bin/bash
# Side-by-side benchmark of Verbatim's co-occurrence counting against the baselines of
# ../shared/bench/py/cooc.py (window-5 numpy/scipy, sentence-level scikit-learn), in one
# session, alternating the runs round by round.
#
#   Benchmarks/cooc-side-by-side.sh [CORPUS_DIR] [ROUNDS]
#
# CORPUS_DIR: a folder of .txt files (default: 100 MB built from ../shared/corpora with
# ../shared/tools/build_bench_corpus.py --txt into $TMPDIR/verbatim-cooc-bench-100mb); ROUNDS: 3.
#
# Same work: every program starts from the documents' text in memory and stops with finished
# pair counts. The numpy peer counts "window 5" as a token and the next 4 (distances 1..4) inside
# a document, unordered pairs of distinct ids, into a scipy CSR matrix; Verbatim's
# `cooc --files DIR --summary` runs its whole French chain (ICU word break, elision, Snowball
# stems), then counts pairs inside each file (one turn per file) into a merged table sorted by
# (source, target): window:4 is the peer's span, window:5 is the brief's (distances 1..5, more pairs).
# Stop words are kept (--keep-stopwords) as the peer keeps them; one run drops them (the default).
# Raw runs: Benchmarks/results/cooc-runs.jsonl; medians: Benchmarks/results/cooc.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
if [ ! -x "$shared/bench/peers.sh" ]; then echo "skipped: $shared/bench/peers.sh not found"; exit 0; fi
corpus=${1:-}
if [ -z "$corpus" ]; then
  corpus=${TMPDIR:-/tmp}/verbatim-cooc-bench-100mb
  [ -d "$corpus/txt" ] || python3 "$shared/tools/build_bench_corpus.py" --out "$corpus" --target-bytes 100000000 --txt --root "$shared/corpora" >&2
fi
corpus=$(cd "$corpus" && pwd)
rounds=${2:-3}
(cd "$root" && swift build -c release --product verbatim >&2)
bin=$root/.build/release/verbatim
mkdir -p "$root/Benchmarks/results"
runs=$root/Benchmarks/results/cooc-runs.jsonl
: >"$runs"
ours() { # name, command...: tags a JSON line with its name, the process's peak memory and CPU seconds
  local name=$1; shift
  local tf; tf=$(mktemp)
  /usr/bin/time -f '%M %e %U %S' -o "$tf" "$@" | tail -n 1 | python3 -c 'import json,sys
d=json.loads(sys.stdin.read()); d["name"]=sys.argv[1]; rss,wall,user,system=open(sys.argv[2]).read().split()
d["max_rss_kb"]=int(rss); d["wall_s"]=float(wall); d["process_cpu_s"]=round(float(user)+float(system),2)
if d.get("seconds") and d.get("bytes"): d["MB_per_s"]=round(d["bytes"]/1e6/d["seconds"],2)
print(json.dumps(d))' "$name" "$tf" >>"$runs"
  rm -f "$tf"
}
cache=${VERBATIM_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/verbatim-peers}
list=$(mktemp); find "$corpus" -type f -name '*.txt' | LC_ALL=C sort >"$list"
peer_runs() {
  "$shared/bench/peers.sh" "$corpus" '^cooc\.(window5_numpy|sentence_sklearn)$' >>"$runs"
  # The same numpy baseline run directly, for its whole-process CPU seconds (the machine is shared:
  # CPU seconds do not depend on how many other jobs compete for the cores; wall seconds do).
  (cd "$shared/bench/py" && ours cooc.window5_numpy.cpu "$cache/venv/bin/python" cooc.py window "$list")
}
verbatim_runs() {
  ours verbatim.cooc.window4.stopwords.t2 "$bin" cooc --files "$corpus" --scope window:4 --keep-stopwords --summary --jobs 2
  ours verbatim.cooc.window4.stopwords.t1 "$bin" cooc --files "$corpus" --scope window:4 --keep-stopwords --summary --jobs 1
  ours verbatim.cooc.window5.stopwords.t2 "$bin" cooc --files "$corpus" --scope window:5 --keep-stopwords --summary --jobs 2
  ours verbatim.cooc.window5.t2 "$bin" cooc --files "$corpus" --scope window:5 --summary --jobs 2
}
# The order alternates round by round (peers first, then Verbatim first): on this VM the run
# right after the numpy baseline (a 4 GB process) pays for the memory it freed.
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  if [ $((round % 2)) -eq 1 ]; then peer_runs; verbatim_runs; else verbatim_runs; peer_runs; fi
done
python3 - "$runs" "$root/Benchmarks/results/cooc.md" "$corpus" "$rounds" <<'PY'
import json, statistics, sys
runs, out, corpus, rounds = sys.argv[1:5]
by = {}
for line in open(runs):
    line = line.strip()
    if not line: continue
    d = json.loads(line)
    if "seconds" not in d: continue
    by.setdefault(d["name"], []).append(d)
med = lambda name, key="seconds": statistics.median(x[key] for x in by[name])
lines = [f"Corpus: `{corpus}`, {rounds} rounds alternated; medians of each program's own timed phase "
         "(text in memory → finished pair counts).", "",
         "| run | n | median s | MB/s | process CPU s | tokens | distinct pairs | pair occurrences | peak RSS MB |",
         "|---|---|---|---|---|---|---|---|---|"]
for name in sorted(by):
    d = by[name][0]; s = med(name)
    pairs = d.get("nnz", d.get("pairs")); occ = d.get("pair_occurrences", d.get("pairs") if "nnz" in d else None)
    cpu = statistics.median(x["process_cpu_s"] for x in by[name]) if "process_cpu_s" in d else None
    lines.append(f"| {name} | {len(by[name])} | {s:.3f} | {d['bytes']/1e6/s:.1f} | {'' if cpu is None else cpu} | {d['tokens']:,} | {pairs:,} | "
                 f"{occ if occ is None else format(occ, ',')} | {med(name, 'max_rss_kb')/1024:.0f} |")
base = "cooc.window5_numpy"
if base in by:
    lines += ["", f"Speed-up over `{base}` (ratio of median seconds):", ""]
    for name in sorted(by):
        if name.startswith("verbatim"):
            lines.append(f"- {name}: {med(base)/med(name):.1f}× (timed phase)")
    if "cooc.window5_numpy.cpu" in by:
        lines += ["", "Whole-process CPU seconds, numpy baseline / Verbatim:", ""]
        cpu = lambda n: statistics.median(x["process_cpu_s"] for x in by[n])
        for name in sorted(by):
            if name.startswith("verbatim"):
                lines.append(f"- {name}: {cpu('cooc.window5_numpy.cpu')/cpu(name):.1f}×")
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
