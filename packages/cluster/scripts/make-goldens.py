#!/usr/bin/env python3
"""Golden values for @bioscan5m/cluster from scikit-learn / scipy (Debian python3-sklearn 1.2.1, scipy 1.10.1).

Run from the repository root:  packages/cluster/scripts/make-goldens.py
Writes packages/cluster/fixtures/{metrics,ward}.json. Needs ../shared/data beside the repository for the
real-data cases (BOLD COI barcodes); installs the Debian packages when missing.
"""
import csv, json, os, re, subprocess, sys

try:
    import numpy as np, scipy, sklearn  # noqa: F401
except ImportError:
    subprocess.check_call(["apt-get", "install", "-y", "python3-sklearn", "python3-scipy"])
    os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np
import scipy
import sklearn
from scipy.cluster.hierarchy import linkage
from sklearn.cluster import AgglomerativeClustering
from sklearn.datasets import make_blobs
from sklearn import metrics

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(PKG))
SHARED = os.path.join(os.path.dirname(REPO), "shared", "data")
OUT = os.path.join(PKG, "fixtures")
VERSIONS = {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__}


def scores(t, p):
    h, c, v = metrics.homogeneity_completeness_v_measure(t, p)
    return {
        "ami": metrics.adjusted_mutual_info_score(t, p),
        "ari": metrics.adjusted_rand_score(t, p),
        "nmi": metrics.normalized_mutual_info_score(t, p),
        "homogeneity": h,
        "completeness": c,
        "vMeasure": v,
        "classes": int(len(np.unique(t))),
        "clusters": int(len(np.unique(p))),
    }


def as_list(a):
    return [x.item() if hasattr(x, "item") else x for x in a]


def metric_cases():
    rng = np.random.default_rng(20241127)
    cases = []

    def add(name, t, p):
        cases.append({"name": name, "true": as_list(t), "pred": as_list(p), "expected": scores(t, p)})

    add("small random", rng.integers(0, 5, 50), rng.integers(0, 7, 50))
    t = rng.integers(0, 300, 3000)
    p = np.where(rng.random(3000) < 0.3, rng.integers(0, 280, 3000), t % 280)
    add("300 classes, 30% noise", t, p)
    # Zipf-like class sizes: many distinct sizes, the expensive case for the EMI term.
    sizes = np.minimum(rng.zipf(1.6, 1000), 200)
    t = np.repeat(np.arange(1000), sizes)
    rng.shuffle(t)
    p = np.where(rng.random(len(t)) < 0.2, rng.integers(0, 900, len(t)), t)
    add("1000 zipf classes", t, p)
    add("perfect up to permutation", np.array([0, 0, 1, 1, 2, 2]), np.array([5, 5, 3, 3, 9, 9]))
    add("one class vs many clusters", np.zeros(20, dtype=int), np.arange(20))
    add("all one class both", np.zeros(10, dtype=int), np.zeros(10, dtype=int))
    add("all singletons both", np.arange(15), np.arange(15)[::-1])
    add("two samples split", np.array([0, 1]), np.array([0, 0]))
    add("independent", np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    add("string labels", np.array(["a", "b", "b", "c", "c", "c", "a"]), np.array(["x", "x", "y", "y", "z", "z", "x"]))
    return cases


def read_barcodes():
    with open(os.path.join(SHARED, "dna", "coi_barcodes.csv"), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def real_metric_cases(rows):
    out = []
    ins = [r for r in rows if r["class"] == "Insecta"]
    for a, b in [("species", "genus"), ("species", "dna_bin"), ("genus", "family")]:
        sel = [r for r in ins if r[a] and r[b]]
        out.append({"name": f"Insecta {a} vs {b}", "true": a, "pred": b, "rows": len(sel),
                    "expected": scores([r[a] for r in sel], [r[b] for r in sel])})
    return out


def kmer_freq(seq, k=4):
    code = {"A": 0, "C": 1, "G": 2, "T": 3}
    s = re.sub(r"[-.]", "", seq.upper())
    counts = np.zeros(4 ** k)
    c, valid, total = 0, 0, 0
    for ch in s:
        if ch not in code:
            c, valid = 0, 0
            continue
        c = ((c << 2) | code[ch]) & (4 ** k - 1)
        valid += 1
        if valid >= k:
            counts[c] += 1
            total += 1
    return counts / total if total else counts


def ward_case(name, X, ks, thresholds, extra=None):
    Z = linkage(X, method="ward")
    case = {"name": name, "n": int(X.shape[0]), "d": int(X.shape[1]),
            "linkage": [[int(a), int(b), float(h), int(s)] for a, b, h, s in Z], "cuts": []}
    for k in ks:
        lab = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(X).labels_
        case["cuts"].append({"nClusters": k, "labels": lab.tolist()})
    for t in thresholds:
        m = AgglomerativeClustering(n_clusters=None, distance_threshold=t, linkage="ward").fit(X)
        case["cuts"].append({"distanceThreshold": t, "nClusters": int(m.n_clusters_), "labels": m.labels_.tolist()})
    if extra:
        case.update(extra)
    return case


def main():
    os.makedirs(OUT, exist_ok=True)
    shared = os.path.isdir(SHARED)
    rows = read_barcodes() if shared else None
    m = {"generator": "packages/cluster/scripts/make-goldens.py", "versions": VERSIONS, "cases": metric_cases(),
         "realCases": real_metric_cases(rows) if shared else []}
    with open(os.path.join(OUT, "metrics.json"), "w") as f:
        json.dump(m, f)

    X, _ = make_blobs(n_samples=400, n_features=6, centers=12, cluster_std=1.5, random_state=7)
    cases = [ward_case("blobs 400x6", X, [1, 2, 12, 50, 399, 400], [5.0, 20.0], {"X": X.tolist()})]
    Xs, _ = make_blobs(n_samples=60, n_features=3, centers=3, random_state=1)
    Xs = Xs.astype(np.float32)
    cases.append(ward_case("float32 blobs 60x3", Xs.astype(np.float64), [3, 10], [], {"X": Xs.astype(np.float64).tolist()}))
    if shared:
        # Real data: 4-mer frequencies of distinct Insecta barcodes (first 600 distinct vectors in file order).
        seen, seqs, species = set(), [], []
        for r in rows:
            if r["class"] != "Insecta" or not r["species"]:
                continue
            v = kmer_freq(r["dna_barcode"])
            key = v.tobytes()
            if v.sum() == 0 or key in seen:
                continue
            seen.add(key)
            seqs.append(v)
            species.append(r["species"])
            if len(seqs) == 600:
                break
        Xr = np.array(seqs)
        k = len(set(species))
        case = ward_case("BOLD Insecta 4-mer frequencies", Xr, [k, 20], [], {"source": "coi_barcodes.csv", "rows": len(seqs), "species": k})
        lab = case["cuts"][0]["labels"]
        case["metrics"] = scores(species, lab)
        cases.append(case)
    with open(os.path.join(OUT, "ward.json"), "w") as f:
        json.dump({"generator": "packages/cluster/scripts/make-goldens.py", "versions": VERSIONS, "cases": cases}, f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
