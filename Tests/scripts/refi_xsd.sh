#!/bin/bash
# REFI-QDA oracle: every file Verbatim writes is valid against the official schemas
# (xmllint --schema with ../shared/reference/refi-qda/{Codebook,Project}.xsd), and the
# sources of a .qdpx are UTF-8 .txt files named after the GUIDs project.qde gives them.
#   1. import Corpus/, export --qdpx with a MAXQDA-style codebook → validate project.qde;
#   2. import --qdpx each tool-style fixture (QualCoder, MAXQDA, ATLAS.ti) into a new project,
#      write its codebook (.qdc) → validate; export that project again → validate.
# Skips (exit 0) when xmllint, python3, the schemas or $VERBATIM_BIN are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
schemas="$root/../shared/reference/refi-qda"
bin="${VERBATIM_BIN:-}"
if [ -z "$bin" ] || [ ! -x "$bin" ]; then echo "skip: VERBATIM_BIN is not set to a built verbatim"; exit 0; fi
if ! command -v xmllint >/dev/null; then echo "skip: xmllint missing (scripts/ensure-deps.sh test installs it)"; exit 0; fi
if ! command -v python3 >/dev/null; then echo "skip: python3 missing"; exit 0; fi
if [ ! -f "$schemas/Project.xsd" ] || [ ! -f "$schemas/Codebook.xsd" ]; then echo "skip: $schemas not found"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

check_qdpx() {  # FILE: validate project.qde and the sources folder
  local file=$1 folder
  folder="$work/x-$(basename "$file" .qdpx)"
  python3 -m zipfile -e "$file" "$folder"
  xmllint --noout --schema "$schemas/Project.xsd" "$folder/project.qde"
  python3 - "$folder" <<'PY'
import os, re, sys
folder = sys.argv[1]
qde = open(os.path.join(folder, "project.qde"), encoding="utf-8").read()
paths = re.findall(r'plainTextPath="internal://([0-9a-f-]{36})\.txt"', qde)
files = sorted(os.listdir(os.path.join(folder, "sources")))
assert sorted(p + ".txt" for p in paths) == files, (paths, files)
for name in files:
    data = open(os.path.join(folder, "sources", name), "rb").read()
    data.decode("utf-8")
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data, name
print(f"  {len(files)} sources: UTF-8 .txt, lowercase GUID names")
PY
}

"$bin" import "$root/Corpus" --project corpus 2>/dev/null
"$bin" export --qdpx corpus.qdpx --codebook "$root/Tests/Fixtures/refi/maxqda.qdc" --project corpus
check_qdpx corpus.qdpx

for fixture in qualcoder-style maxqda-style atlasti-style; do
  "$bin" import --qdpx "$root/Tests/Fixtures/refi/$fixture.qdpx" --project "p-$fixture" \
    --codebook-out "$fixture.qdc" --codings-out "$fixture.csv" 2>/dev/null
  xmllint --noout --schema "$schemas/Codebook.xsd" "$fixture.qdc"
  "$bin" export --qdpx "again-$fixture.qdpx" --codebook "$fixture.qdc" --project "p-$fixture" 2>/dev/null
  check_qdpx "again-$fixture.qdpx"
done
echo "refi_xsd: passed"
