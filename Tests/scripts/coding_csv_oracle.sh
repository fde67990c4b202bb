#!/usr/bin/env bash
# Checks `verbatim coding import` / `coding export` against Python's csv module (standard
# library): seeded random codings with awkward memos and code paths (commas, quotes, CR/LF,
# tabs, accents, emoji) are written by Python's csv.writer, imported, exported, and read back
# by csv.reader; the rows must be the same (export order: document, start, end, coder,
# code). Then a file with bad rows must be refused whole, naming each bad line.
#
#   VERBATIM_BIN=.build/release/verbatim Tests/scripts/coding_csv_oracle.sh
set -euo pipefail
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
bin="${VERBATIM_BIN:-$repo_root/.build/debug/verbatim}"
if [ ! -x "$bin" ]; then echo "skipped: no verbatim binary at $bin"; exit 0; fi
if ! command -v python3 >/dev/null; then echo "skipped: python3 not found"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
printf 'Élu : Le numérique, ça coûte 😀 cher.\nAgent : Les « tablettes » aussi.\n' >"$work/corpus/a.txt"
printf 'Maire : Non merci.\n' >"$work/corpus/b.txt"
"$bin" import --project "$work/p" "$work/corpus" 2>/dev/null
python3 - "$work" <<'PY'
import csv, random, sqlite3, sys
work = sys.argv[1]
db = sqlite3.connect(f"{work}/p/project.sqlite")
texts = {row[0]: row[1].encode() for row in db.execute("SELECT id, text FROM documents")}
rng = random.Random(6)
pieces = ["a", "é", ",", '"', "\n", "\r\n", "\t", " ", "😀", "Thème", "/"]
def text(n):
    return "".join(rng.choice(pieces) for _ in range(n))
rows, seen = [], set()
while len(rows) < 300:
    document = rng.choice(sorted(texts))
    data = texts[document]
    bounds = [i for i in range(len(data) + 1) if i == len(data) or data[i] & 0xC0 != 0x80]
    start, end = sorted(rng.sample(bounds, 2))
    code = "/".join(("Code" + text(2)).strip().replace("/", "") or "X" for _ in range(rng.randint(1, 3)))
    if any(part != part.strip() or not part for part in code.split("/")) or "\n" in code or "\r" in code or "\t" in code:
        continue
    coder = rng.choice(["AB", "Zoé", "C D"])
    key = (coder, document, start, end, code)
    if key in seen:
        continue
    seen.add(key)
    rows.append([coder, str(document), str(start), str(end), code, text(rng.randint(0, 6)).strip("\r")])
with open(f"{work}/in.csv", "w", newline="", encoding="utf-8") as f:
    writer = csv.writer(f, lineterminator="\r\n")
    writer.writerow(["coder", "document", "start", "end", "code", "memo"])
    writer.writerows(rows)
rows.sort(key=lambda r: (int(r[1]), int(r[2]), int(r[3]), r[0], r[4]))
with open(f"{work}/expected.csv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
PY
"$bin" coding import --project "$work/p" "$work/in.csv" 2>/dev/null
"$bin" coding export --project "$work/p" >"$work/out.csv"
python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
read = lambda name: list(csv.reader(open(f"{work}/{name}", newline="", encoding="utf-8")))
out, expected = read("out.csv"), read("expected.csv")
passed = failed = 0
if out[0] != ["coder", "document", "start", "end", "code", "memo"]:
    print("bad header", out[0]); failed += 1
for got, want in zip(out[1:], expected):
    if got == want: passed += 1
    else:
        failed += 1
        if failed < 5: print("mismatch:", got, want)
if len(out) - 1 != len(expected):
    print("row counts differ:", len(out) - 1, len(expected)); failed += 1
print(f"round trip: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
before=$("$bin" coding export --project "$work/p" | md5sum)
printf 'coder,document,start,end,code\nAB,1,0,2,ok\nAB,99,0,2,X\nAB,1,1,2,X\nAB,1,5,2,X\n' >"$work/bad.csv"
if "$bin" coding import --project "$work/p" "$work/bad.csv" 2>"$work/err"; then echo "bad file accepted"; exit 1; fi
for line in 3 4 5; do grep -q "bad.csv:$line:" "$work/err" || { echo "line $line not named"; cat "$work/err"; exit 1; }; done
[ "$("$bin" coding export --project "$work/p" | md5sum)" = "$before" ] || { echo "store changed"; exit 1; }
echo "rejection: 1 passed, 0 failed"
