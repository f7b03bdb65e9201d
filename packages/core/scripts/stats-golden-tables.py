#!/usr/bin/python3
"""Golden Tables A4 (geography), A5 (category sizes) and A11/A13 (species / genera shared between partitions)
computed with pandas, for the tests of computeStats beyond Table 2.

Usage (from packages/core):
  /usr/bin/python3 scripts/stats-golden-tables.py src/__golden__/stats-tables-synthetic.json src/__golden__/stats-synthetic.csv
Needs Debian's python3-pandas (`apt-get install -y python3-pandas`).
A5 std is the population std (ddof=0): the paper's Table A5 gives 0.0 for its single phylum. Tied most/least
populated names are not compared (the paper picks one at random), only sizes.
"""
import json
import sys

import pandas as pd

NA_VALUES = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
             "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
RANKS = ["phylum", "class", "order", "family", "subfamily", "genus", "species", "taxon", "dna_bin"]
SPLITS = ["pretrain", "train", "val", "test", "key_unseen", "val_unseen", "test_unseen", "other_heldout"]


def geo(series, rows):
    vc = series.value_counts(dropna=True)
    labelled = int(vc.sum())
    return {"categories": int(len(vc)), "labelled": labelled, "unlabelled": rows - labelled,
            "imbalanceRatio": (int(vc.max()) / int(vc.min())) if len(vc) else None}


def main(out, path):
    sep = "\t" if path.endswith((".tsv", ".tab")) else ","
    dtype = {c: str for c in RANKS + ["country", "province_state", "split"]}
    df = pd.read_csv(path, sep=sep, dtype=dtype, keep_default_na=False, na_values=NA_VALUES, low_memory=False)
    rows = len(df)
    both = df[["coord-lat", "coord-lon"]].dropna()
    res = {"geography": {
        "country": geo(df["country"], rows),
        "province_state": geo(df["province_state"], rows),
        "coord-lat": geo(df["coord-lat"], rows),
        "coord-lon": geo(df["coord-lon"], rows),
        "location": geo(both.apply(lambda r: (r["coord-lat"], r["coord-lon"]), axis=1), rows),
    }, "distribution": {}, "overlap": {}}
    for r in RANKS:
        vc = df[r].value_counts(dropna=True)
        res["distribution"][r] = {
            "categories": int(len(vc)),
            "mostSize": int(vc.max()), "leastSize": int(vc.min()),
            "mostName": vc.index[0] if (vc == vc.max()).sum() == 1 else None,
            "leastName": vc.index[-1] if (vc == vc.min()).sum() == 1 else None,
            "mean": float(vc.mean()), "median": float(vc.median()), "std": float(vc.std(ddof=0)),
        }
    present = [s for s in SPLITS if s in set(df["split"].dropna())]
    for rank in ["species", "genus"]:
        sets = [set(df.loc[df["split"] == s, rank].dropna()) for s in present]
        res["overlap"][rank] = {"partitions": present, "counts": [[len(a & b) for b in sets] for a in sets]}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
