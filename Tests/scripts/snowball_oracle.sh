#!/usr/bin/env bash
# Checks Verbatim's French stemmer against the Snowball project's own Python build
# (PyPI snowballstemmer 3.1.1, i.e. Snowball 3.x French rules) on every distinct word of
# ../shared/corpora/**/*.txt.
#
#   Tests/scripts/snowball_oracle.sh
#
# Environment:
#   VERBATIM_STEM_CMD  command that reads one word per stdin line and writes one stem per line
#                      (default: swift run -c release verbatim stem), run from the repo root
#   SHARED_DIR         the shared folder (default: the repo's sibling ../shared)
#   ORACLE_FUZZ        also check this many seeded random strings (default 0)
#   ORACLE_PYTHON      python3 to use (default: python3)
#
# Prints "N passed, M failed"; exits 1 on any mismatch, 0 with a "skipped:" line when the
# shared folder or snowballstemmer (pip) is unavailable.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
shared="${SHARED_DIR:-$repo_root/../shared}"
stem_cmd="${VERBATIM_STEM_CMD:-swift run -c release verbatim stem}"
python="${ORACLE_PYTHON:-python3}"

if [ ! -d "$shared/corpora" ]; then
  echo "skipped: ../shared not found ($shared/corpora)"
  exit 0
fi

# A Python that imports snowballstemmer 3.1.1: the given one, else a venv under $TMPDIR.
has_oracle() {
  "$1" -c 'import snowballstemmer, sys; sys.exit(0 if snowballstemmer.__version__ == "3.1.1" else 1)' \
    >/dev/null 2>&1
}
if ! has_oracle "$python"; then
  venv="${TMPDIR:-/tmp}/verbatim-snowball-3.1.1-venv"
  if ! has_oracle "$venv/bin/python"; then
    if ! { "$python" -m venv "$venv" >/dev/null 2>&1 \
      && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        'snowballstemmer==3.1.1' >/dev/null 2>&1; }; then
      echo "skipped: could not install snowballstemmer==3.1.1 with pip"
      exit 0
    fi
  fi
  python="$venv/bin/python"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/verbatim-oracle.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# 1. Distinct words of the corpora (letters incl. accents, inner apostrophes kept so that
#    elisions are exercised), NFC, lowercased; then the oracle's stems.
"$python" - "$shared/corpora" "$work" "${ORACLE_FUZZ:-0}" <<'PY'
import glob, os, re, sys, unicodedata
import snowballstemmer

corpora, work, fuzz = sys.argv[1], sys.argv[2], int(sys.argv[3])
word_re = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
words = set()
files = sorted(glob.glob(os.path.join(corpora, "**", "*.txt"), recursive=True))
for path in files:
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    text = unicodedata.normalize("NFC", text.replace("\u2019", "'")).lower()
    words.update(word_re.findall(text))
words = sorted(words)

if fuzz:
    # SplitMix64, seeded: strings over the letters that matter to the algorithm.
    alphabet = list("aeiouyqscdjlmnptrxvbgHIUY'") + list("éèêëïîâàôûùçü") + ["ж", "日", "1"]
    state = 0x5EED
    def next64():
        global state
        state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)
    extra = set()
    for index in range(fuzz):
        # Mostly word-sized, some around 64 characters (the region code's bit-set limit).
        length = 58 + next64() % 12 if index % 50 == 0 else 1 + next64() % 12
        extra.add("".join(alphabet[next64() % len(alphabet)] for _ in range(length)))
    words = sorted(set(words) | extra)

stemmer = snowballstemmer.stemmer("french")
with open(os.path.join(work, "words.txt"), "w", encoding="utf-8") as out:
    out.write("".join(w + "\n" for w in words))
with open(os.path.join(work, "expected.txt"), "w", encoding="utf-8") as out:
    out.write("".join(stemmer.stemWord(w) + "\n" for w in words))
print(f"oracle: {len(words)} distinct words from {len(files)} files", file=sys.stderr)
PY

# 2. Our stems.
if ! (cd "$repo_root" && bash -c "$stem_cmd") <"$work/words.txt" >"$work/got.txt"; then
  echo "error: stem command failed: $stem_cmd" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# 3. Compare line by line.
"$python" - "$work" <<'PY'
import os, sys
work = sys.argv[1]
def lines(name):
    with open(os.path.join(work, name), encoding="utf-8", errors="replace") as handle:
        return handle.read().split("\n")[:-1]
words, expected, got = lines("words.txt"), lines("expected.txt"), lines("got.txt")
if len(got) != len(words):
    print(f"error: {len(words)} words in, {len(got)} stems out", file=sys.stderr)
failed = 0
shown = 0
for index, word in enumerate(words):
    ours = got[index] if index < len(got) else "<missing>"
    if ours != expected[index]:
        failed += 1
        if shown < 30:
            print(f"MISMATCH {word!r}: expected {expected[index]!r}, got {ours!r}")
            shown += 1
print(f"{len(words) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
