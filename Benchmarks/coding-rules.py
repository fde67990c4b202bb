#!/usr/bin/env python3
"""Generate the deterministic 100-rule codebook of Benchmarks/coding-throughput.sh.

Usage: coding-rules.py CORPUS_DIR OUT.yml [--seed 20261130]

Vocabulary: the words (letters only, 4+ characters, lowercased) of the first 20 MB of
CORPUS_DIR's .txt files in sorted path order; candidates are ranked by frequency and drawn
from ranks 100..20000 with SplitMix64 (seed), so the codebook depends only on the corpus and
the seed. 20 parent codes hold 5 children each; the 100 children have one rule each, of
these kinds (in a fixed rotation): a word (stem), an exact term (=mot), a prefix (mot*),
a two-word phrase taken from the text, a NEAR/5, an OR of three words, an AND with a NOT,
a word with a speaker filter, a NOT with a speaker filter (evaluated on every unit, since it
needs no word), and a prefix OR a phrase. Every tenth child also has an exclusion.
"""
import collections
import os
import re
import sys

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seed = 20261130
    if "--seed" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--seed") + 1])
        args = [a for a in args if a != str(seed)]
    corpus, out = args[0], args[1]
    files = []
    for folder, _, names in os.walk(corpus):
        files += [os.path.join(folder, n) for n in names if n.endswith(".txt")]
    files.sort()
    word = re.compile(r"[^\W\d_]{4,}")
    counts = collections.Counter()
    bigrams = collections.Counter()
    read = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        read += len(text.encode())
        words = [w.lower() for w in word.findall(text)]
        counts.update(words)
        bigrams.update(zip(words, words[1:]))
        if read > 20_000_000:
            break
    ranked = [w for w, _ in counts.most_common(20000)][100:]
    pairs = [p for p, _ in bigrams.most_common(5000)][50:]
    rng = SplitMix64(seed)

    def pick():
        return ranked[rng.below(len(ranked))]

    def pair():
        a, b = pairs[rng.below(len(pairs))]
        return f'"{a} {b}"'

    kinds = [
        lambda: pick(),
        lambda: "=" + pick(),
        lambda: pick()[:5] + "*",
        lambda: pair(),
        lambda: f"{pick()} NEAR/5 {pick()}",
        lambda: f"{pick()} OR {pick()} OR {pick()}",
        lambda: f"{pick()} AND NOT {pick()}",
        lambda: f'speaker:"{pick().capitalize()}" AND {pick()}',
        lambda: f'NOT ({pick()} OR {pick()}) AND speaker:"{pick().capitalize()}"',
        lambda: f"{pick()[:4]}* OR {pair()}",
    ]
    lines = ["verbatim-codebook: 1", "name: 'Benchmark: 100 rules'", f"description: 'coding-rules.py, seed {seed}'",
             "codes:"]
    for parent in range(20):
        lines.append(f"  - name: 'p{parent:02d}'")
        lines.append("    codes:")
        for child in range(5):
            index = parent * 5 + child
            rule = kinds[index % len(kinds)]()
            lines.append(f"      - name: 'c{index:03d}'")
            lines.append("        rules:")
            lines.append("          - '" + rule.replace("'", "''") + "'")
            if index % 10 == 9:
                lines.append("        exclude: ['" + pick() + "']")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
