#!/bin/bash
# Reads Verbatim's GEXF and GraphML back with networkx (an independent parser of both
# formats) and checks them against the edge and node tables of the same run.
#   VERBATIM_BIN=.build/release/verbatim Tests/scripts/graph_gexf_networkx.sh
# networkx comes from python3 if it has it, else from a venv in $VERBATIM_ORACLE_VENV
# (default /tmp/venv-verbatim-graph, created with pip when PyPI is reachable); skips otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${VERBATIM_BIN:-$root/.build/debug/verbatim}
[ -x "$bin" ] || { echo "skipped: no verbatim binary at $bin"; exit 0; }
py=python3
if ! $py -c 'import networkx' 2>/dev/null; then
  venv=${VERBATIM_ORACLE_VENV:-/tmp/venv-verbatim-graph}
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import networkx' 2>/dev/null; then
    python3 -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/pip" install -q networkx >/dev/null 2>&1 \
      || { echo "skipped: networkx not available (pip install networkx)"; exit 0; }
  fi
  py=$venv/bin/python
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" import "$root/Corpus" --project "$work/p" 2>/dev/null
common=(--scope window:5 --measure npmi --top 4 --communities --project "$work/p")
"$bin" cooc "${common[@]}" --format gexf >"$work/g.gexf"
"$bin" cooc "${common[@]}" --format graphml >"$work/g.graphml"
"$bin" cooc "${common[@]}" --format tsv >"$work/edges.tsv"
"$bin" cooc "${common[@]}" --nodes --format tsv >"$work/nodes.tsv"
"$py" - "$work" <<'PY'
import csv, sys, networkx as nx
work = sys.argv[1]
edges = list(csv.DictReader(open(f"{work}/edges.tsv"), delimiter="\t"))
nodes = list(csv.DictReader(open(f"{work}/nodes.tsv"), delimiter="\t"))
for path in (f"{work}/g.gexf", f"{work}/g.graphml"):
    g = nx.read_gexf(path) if path.endswith("gexf") else nx.read_graphml(path)
    assert not g.is_directed(), path
    label = {n: d["label"] for n, d in g.nodes(data=True)}
    assert sorted(label.values()) == sorted(r["label"] for r in nodes), path
    freq = {d["label"]: int(d["frequency"]) for _, d in g.nodes(data=True)}
    assert all(freq[r["label"]] == int(r["frequency"]) for r in nodes), path
    comm = {d["label"]: int(d["community"]) for _, d in g.nodes(data=True)}
    assert all(comm[r["label"]] == int(r["community"]) for r in nodes), path
    got = {frozenset((label[u], label[v])): (int(d["count"]), float(d["weight"])) for u, v, d in g.edges(data=True)}
    assert len(got) == len(edges) == g.number_of_edges(), (path, len(got), len(edges))
    for r in edges:
        count, weight = got[frozenset((r["source"], r["target"]))]
        assert count == int(r["count"]) and abs(weight - float(r["measure"])) < 1e-6, (path, r)
print(f"ok: networkx {nx.__version__} read {len(nodes)} nodes and {len(edges)} edges back from GEXF and GraphML")
PY
