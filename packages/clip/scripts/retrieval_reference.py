#!/usr/bin/env python3
"""Reference retrieval accuracy with faiss IndexFlatIP + numpy, the CLIBD evaluation (inference_and_eval.py).

Writes a generated test case (keys/queries .npy + label CSVs) and the golden JSON that our
`runClipEvalJob` / `bioscan5m clip eval` must reproduce within 0.01 percentage points.

    apt-get install -y python3-faiss python3-numpy      # Debian 12: faiss 1.7.3, numpy 1.24
    /usr/bin/python3 packages/clip/scripts/retrieval_reference.py packages/clip/src/retrieval/__golden__

With --keys K.npy --key-labels KL.csv --queries Q.npy --query-labels QL.csv it scores given files instead
(prints the JSON). Query rows whose `split` contains "unseen" form the unseen set; an empty label at a rank
leaves that query out of that rank (counted as unlabelled).
"""
import argparse
import csv
import json
import os
import sys

import faiss
import numpy as np

RANKS = ["order", "family", "genus", "species"]
KS = [1, 3, 5]


def generate(out_dir, seed=7, dim=32):
    """A hierarchical taxonomy: 4 orders x 3 families x 3 genera x 4 species, seen and unseen species."""
    rng = np.random.default_rng(seed)
    species = []
    for o in range(4):
        oc = rng.normal(0, 1.0, dim)
        for f in range(3):
            fc = oc + rng.normal(0, 0.7, dim)
            for g in range(3):
                gc = fc + rng.normal(0, 0.5, dim)
                for s in range(4):
                    sc = gc + rng.normal(0, 0.35, dim)
                    species.append((f"Order{o}", f"Family{o}_{f}", f"Genus{o}_{f}_{g}", f"Genus{o}_{f}_{g} sp{s}", sc))
    order = rng.permutation(len(species))
    unseen = set(order[:40].tolist())
    keys, key_rows, queries, query_rows = [], [], [], []
    for i, (o, f, g, s, c) in enumerate(species):
        is_unseen = i in unseen
        n_keys = int(rng.integers(3, 15))
        n_queries = int(rng.integers(1, 6))
        for _ in range(n_keys):
            keys.append(c + rng.normal(0, 1.1, dim))
            key_rows.append([o, f, g, s, "key_unseen" if is_unseen else "train"])
        for _ in range(n_queries):
            queries.append(c + rng.normal(0, 1.1, dim))
            query_rows.append([o, f, g, s, "test_unseen" if is_unseen else "test"])
    keys = np.asarray(keys, dtype=np.float32)
    queries = np.asarray(queries, dtype=np.float32)
    # Exact duplicate keys (same labels): tied scores must not change any metric.
    dup = rng.choice(len(keys), 20, replace=False)
    keys = np.concatenate([keys, keys[dup]])
    key_rows += [list(key_rows[i]) for i in dup]
    # Unlabelled cells: keys without genus/species, queries without species.
    for i in rng.choice(len(key_rows), 15, replace=False):
        key_rows[i][2] = ""
        key_rows[i][3] = ""
    for i in rng.choice(len(query_rows), 8, replace=False):
        query_rows[i][3] = ""
    os.makedirs(out_dir, exist_ok=True)
    np.save(os.path.join(out_dir, "keys.npy"), keys)
    np.save(os.path.join(out_dir, "queries.npy"), queries)
    for name, rows in (("key-labels.csv", key_rows), ("query-labels.csv", query_rows)):
        with open(os.path.join(out_dir, name), "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(RANKS + ["split"])
            w.writerows(rows)


def read_labels(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows


def evaluate(keys, key_labels, queries, query_labels):
    keys = np.ascontiguousarray(keys, dtype=np.float32)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    faiss.normalize_L2(keys)
    faiss.normalize_L2(queries)
    index = faiss.IndexFlatIP(keys.shape[1])
    index.add(keys)
    _, idx = index.search(queries, max(KS))
    sets = ["unseen" if "unseen" in r["split"].lower() else "seen" for r in query_labels]
    rows, hm = [], []
    for rank in RANKS:
        for k in KS:
            by_set = {}
            for s in ("seen", "unseen"):
                hits, n, unlabelled, per_class = 0, 0, 0, {}
                for q, row in enumerate(query_labels):
                    if sets[q] != s:
                        continue
                    gt = row[rank].strip()
                    if gt == "":
                        unlabelled += 1
                        continue
                    pred = [key_labels[i][rank].strip() for i in idx[q, :k] if i >= 0]
                    hit = 1 if gt in pred else 0
                    hits += hit
                    n += 1
                    c = per_class.setdefault(gt, [0, 0])
                    c[0] += hit
                    c[1] += 1
                micro = 100.0 * hits / n if n else None
                macro = 100.0 * sum(h / t for h, t in per_class.values()) / len(per_class) if n else None
                by_set[s] = (micro, macro)
                rows.append({"rank": rank, "k": k, "set": s, "micro": micro, "macro": macro,
                             "queries": n, "classes": len(per_class), "unlabelled": unlabelled})

            def h(a, b):
                if a is None or b is None:
                    return None
                return 0.0 if a + b == 0 else 2 * a * b / (a + b)

            hm.append({"rank": rank, "k": k, "micro": h(by_set["seen"][0], by_set["unseen"][0]),
                       "macro": h(by_set["seen"][1], by_set["unseen"][1])})
    return {"tool": f"faiss {faiss.__version__} IndexFlatIP, numpy {np.__version__}", "rows": rows, "harmonicMean": hm}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir", nargs="?")
    ap.add_argument("--keys")
    ap.add_argument("--key-labels")
    ap.add_argument("--queries")
    ap.add_argument("--query-labels")
    a = ap.parse_args()
    if a.keys:
        res = evaluate(np.load(a.keys), read_labels(a.key_labels), np.load(a.queries), read_labels(a.query_labels))
        json.dump(res, sys.stdout, indent=1)
        return
    if not a.out_dir:
        ap.error("give an output folder, or --keys/--key-labels/--queries/--query-labels")
    generate(a.out_dir)
    d = a.out_dir
    res = evaluate(np.load(os.path.join(d, "keys.npy")), read_labels(os.path.join(d, "key-labels.csv")),
                   np.load(os.path.join(d, "queries.npy")), read_labels(os.path.join(d, "query-labels.csv")))
    with open(os.path.join(d, "golden-retrieval.json"), "w") as fh:
        json.dump(res, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
