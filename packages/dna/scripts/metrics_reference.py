#!/usr/bin/env python3
"""Golden accuracy / balanced accuracy / macro F1 for src/eval/metrics.test.ts, from scikit-learn (Debian
python3-sklearn; installed here if missing). Labels: real genus names from ../shared/data/dna/coi_barcodes.csv,
predictions a seeded corruption of them.  Run from the repo root: /usr/bin/python3 packages/dna/scripts/metrics_reference.py
"""
import csv, json, os, random, subprocess, sys

try:
    import sklearn  # noqa: F401
except ImportError:
    subprocess.run(["apt-get", "install", "-y", "python3-sklearn"], check=True)
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DATA = os.path.join(ROOT, "..", "shared", "data", "dna", "coi_barcodes.csv")
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "eval", "golden-metrics.json")

with open(DATA, newline="") as f:
    genera = [r["genus"] for r in csv.DictReader(f) if r["genus"]]
rnd = random.Random(7)
cases = []
for n, noise in ((40, 0.2), (300, 0.5), (1000, 0.1)):
    y_true = rnd.sample(genera, n)
    pool = sorted(set(genera))
    y_pred = [rnd.choice(pool) if rnd.random() < noise else t for t in y_true]
    cases.append({
        "y_true": y_true, "y_pred": y_pred,
        "accuracy": accuracy_score(y_true, y_pred),
        "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
        "macro_f1": f1_score(y_true, y_pred, average="macro", zero_division=0),
    })
with open(OUT, "w") as f:
    json.dump({"source": "scripts/metrics_reference.py (scikit-learn " + sklearn.__version__ + ")", "cases": cases}, f)
print("wrote", OUT)
