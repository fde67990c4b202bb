#!/bin/bash
# Draws the shipped corpus's co-occurrence pictures as a person would look at them: imports
# Corpus/ into a temporary project, writes the ego graph of "numérique responsable" and the
# whole segment graph (spanning tree, communities) as SVG, checks they are well-formed XML
# (xmllint) and renders them to PNG with rsvg-convert for viewing.
#   VERBATIM_BIN=.build/release/verbatim Tests/scripts/graph_svg.sh [OUT_DIR]
# Skips cleanly (exit 0, with a message) when xmllint or rsvg-convert is missing
# (apt-get install -y libxml2-utils librsvg2-bin).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${VERBATIM_BIN:-$root/.build/debug/verbatim}
out=${1:-${TMPDIR:-/tmp}/verbatim-graph-svg}
command -v xmllint >/dev/null || { echo "skipped: xmllint not installed"; exit 0; }
[ -x "$bin" ] || { echo "skipped: no verbatim binary at $bin"; exit 0; }
mkdir -p "$out"
project=$(mktemp -d)
trap 'rm -rf "$project"' EXIT
"$bin" import "$root/Corpus" --project "$project/p" 2>/dev/null
"$bin" cooc "numérique responsable" --top 15 --measure g2 --communities --format svg \
  --title "Autour de « numérique responsable » (segments, G²)" --project "$project/p" >"$out/ego.svg"
"$bin" cooc --tree --communities --min-freq 4 --format svg --title "Arbre maximum des segments (cooccurrences)" \
  --project "$project/p" >"$out/tree.svg"
for svg in "$out/ego.svg" "$out/tree.svg"; do
  xmllint --noout "$svg"
  grep -q "Legend" "$svg" || { echo "FAIL: $svg has no legend"; exit 1; }
done
if ! command -v rsvg-convert >/dev/null; then echo "svg ok; skipped PNG rendering: rsvg-convert not installed"; exit 0; fi
rsvg-convert -o "$out/ego.png" "$out/ego.svg"
rsvg-convert -o "$out/tree.png" "$out/tree.svg"
echo "ok: $out/ego.png $out/tree.png"
