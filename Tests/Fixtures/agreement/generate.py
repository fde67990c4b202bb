#!/usr/bin/env python3
"""Golden values for Verbatim's agreement statistics (Tests/VerbatimCodingTests/AgreementTests.swift).

Generated once and committed as `golden.json`; the Swift tests never run Python.
Oracles (PyPI): krippendorff 0.9.0 (`krippendorff.alpha`, nominal), scikit-learn 1.9.1
(`sklearn.metrics.cohen_kappa_score`), numpy 2.4.6 for the seeded data.

Regenerate:
    python3 -m venv /tmp/venv-agree
    /tmp/venv-agree/bin/pip install krippendorff==0.9.0 scikit-learn==1.9.1 numpy==2.4.6
    /tmp/venv-agree/bin/python Tests/Fixtures/agreement/generate.py > Tests/Fixtures/agreement/golden.json
"""
import json

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

cases = []

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
# 12 units, values 1-5, missing data. The paper gives nominal alpha = 0.743.
paper = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def alpha(data):
    array = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    return float(krippendorff.alpha(reliability_data=array, level_of_measurement="nominal"))


cases.append({"name": "krippendorff-2011", "data": paper, "alpha": alpha(paper)})

rng = np.random.default_rng(20261130)
for index, (coders, units, categories, missing, agreement) in enumerate([
    (2, 30, 2, 0.0, 0.7),
    (2, 200, 2, 0.0, 0.5),
    (2, 100, 4, 0.0, 0.6),
    (3, 60, 2, 0.1, 0.7),
    (4, 150, 3, 0.2, 0.6),
    (5, 80, 2, 0.3, 0.8),
    (2, 120, 3, 0.15, 0.4),
]):
    truth = rng.integers(0, categories, size=units)
    data = []
    for _ in range(coders):
        row = []
        for u in range(units):
            if rng.random() < missing:
                row.append(None)
            elif rng.random() < agreement:
                row.append(int(truth[u]))
            else:
                row.append(int(rng.integers(0, categories)))
        data.append(row)
    case = {"name": f"random-{index}-c{coders}-u{units}-k{categories}-m{missing}", "data": data, "alpha": alpha(data)}
    if coders == 2:
        pairs = [(a, b) for a, b in zip(data[0], data[1]) if a is not None and b is not None]
        case["kappa"] = float(cohen_kappa_score([a for a, _ in pairs], [b for _, b in pairs]))
    cases.append(case)

# One case per line, so diffs stay readable.
print('{"generator": "Tests/Fixtures/agreement/generate.py", "krippendorff": "0.9.0", "scikit-learn": "1.9.1",')
print(' "cases": [')
print(",\n".join("  " + json.dumps(case) for case in cases))
print(" ]}")
