#!/usr/bin/python3
"""The pandas side of the stats benchmark: read_csv of a BIOSCAN-5M metadata CSV plus the same per-rank counts
as `bioscan5m stats --json` (Table 2). Prints the JSON object, so the two outputs can be compared.
Usage: /usr/bin/python3 stats-bench-pandas.py FILE
"""
import json
import sys

import pandas as pd

COLUMNS = ["phylum", "class", "order", "family", "subfamily", "genus", "species", "dna_bin", "dna_barcode"]
NA_VALUES = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
             "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]


def percent_half_up(part, whole):
    return ((2000 * part + whole) // (2 * whole)) / 10 if whole else 0


def main(path):
    # Only the nine Table 2 columns are parsed (usecols): the cheapest pandas route to these counts, so the
    # comparison favours pandas (our stats also computes Tables A4, A5 and A11-A14 in the same pass).
    df = pd.read_csv(path, dtype=str, usecols=COLUMNS, keep_default_na=False, na_values=NA_VALUES, low_memory=False)
    rows = len(df)
    ranks = {}
    for col in COLUMNS:
        vc = df[col].value_counts(dropna=True)
        labelled = int(vc.sum())
        ranks[col] = {
            "categories": int(len(vc)),
            "labelled": labelled,
            "labelledPercent": percent_half_up(labelled, rows),
            "imbalanceRatio": (int(vc.max()) / int(vc.min())) if len(vc) else None,
        }
    print(json.dumps({"rows": rows, "ranks": ranks}))


if __name__ == "__main__":
    main(sys.argv[1])
