#!/usr/bin/env python3
"""Deterministic query set for Benchmarks/query-latency.sh: N queries of each kind drawn from
the corpus's own words (seeded), one `kind<TAB>query` per line.

Kinds: word (stem), exact (=term), prefix (first 4 letters + *), phrase (a two-word sequence
seen in the text), near (two words seen within 5 words, NEAR/5), and (a AND b), not (a AND NOT b).

    python3 Benchmarks/make-queries.py CORPUS_DIR 100 > queries.tsv
"""
import os
import random
import re
import sys

corpus, count = sys.argv[1], int(sys.argv[2])
word = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ]{5,}")
files = sorted(
    os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs if f.endswith((".txt", ".md", ".jsonl", ".csv")))
random.seed(20261130)
sample = random.sample(files, min(len(files), 200))
sequences = []
for path in sample:
    with open(path, encoding="utf-8", errors="replace") as handle:
        sequences.append(word.findall(handle.read(200_000).lower()))
words = [w for s in sequences for w in s]
common = sorted(set(words))
def pick():
    return random.choice(words)
def pair(gap):
    while True:
        s = random.choice(sequences)
        if len(s) > gap + 1:
            i = random.randrange(len(s) - gap)
            return s[i], s[i + random.randint(1, gap)]
lines = []
for _ in range(count):
    lines.append(f"word\t{pick()}")
    lines.append(f"exact\t={pick()}")
    lines.append(f"prefix\t{pick()[:4]}*")
    a, b = pair(1)
    lines.append(f'phrase\t"{a} {b}"')
    a, b = pair(5)
    lines.append(f"near\t{a} NEAR/5 {b}")
    lines.append(f"and\t{pick()} AND {pick()}")
    lines.append(f"not\t{pick()} AND NOT {pick()}")
print("\n".join(lines))
