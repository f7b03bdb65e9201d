#!/usr/bin/python3
"""Reference Table 2 statistics computed with pandas, for the golden tests of `bioscan5m stats --json`.

Usage: /usr/bin/python3 stats-golden.py FILE [FILE ...]   -> one JSON object per file (a list when several)
       /usr/bin/python3 stats-golden.py --out DIR FILE ... -> writes DIR/stats-<name>.json

The committed goldens (packages/core/src/__golden__/stats-*.json) were made from packages/core with:
  /usr/bin/python3 scripts/stats-golden-fixture.py src/__golden__/stats-synthetic.csv
  /usr/bin/python3 scripts/stats-golden.py --out src/__golden__ ../../apps/cli/data/metadata.csv \
      ../../apps/cli/data/bioscan1m_sample.tsv src/__golden__/stats-synthetic.csv \
      ../../../shared/data/dna/coi_barcodes.csv ../../../shared/data/bioscan1m/bioscan1m_sample_metadata.tsv
Needs Debian's python3-pandas (run `apt-get install -y python3-pandas` first; the bench script does).
Semantics (the same as the bioscan-dataset loader's pandas reading):
- read_csv with pandas 2's default NA strings (empty cells and "NA", "nan", "None", ... are missing), as str;
- BIOSCAN-1M TSV: the BIN column `uri` is renamed dna_bin (as the toolkit's column mapping does);
- labelled = non-missing values, categories = distinct labelled values (dna_barcode compared as raw strings),
  labelledPercent = 100 * labelled / rows rounded half-up to 1 decimal (exact integer arithmetic),
  imbalanceRatio = largest / smallest category size (None when nothing is labelled).
"""
import json
import os
import sys

import pandas as pd

COLUMNS = ["phylum", "class", "order", "family", "subfamily", "genus", "species", "dna_bin", "dna_barcode"]
# pandas >= 2.0 read_csv default na_values (1.5 lacks "None"); passed explicitly so that every pandas version
# gives the same answer as the Python loader on a current pandas.
NA_VALUES = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
             "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
ALIASES = {"dna_bin": ["uri", "bin_uri", "bin"], "dna_barcode": ["nucraw", "nuc", "nucleotides", "sequence"]}


def percent_half_up(part, whole):
    if whole == 0:
        return 0
    return ((2000 * part + whole) // (2 * whole)) / 10


def stats(path):
    sep = "\t" if path.endswith((".tsv", ".tab")) else ","
    df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=NA_VALUES, low_memory=False)
    for col, alts in ALIASES.items():
        if col not in df.columns:
            for a in alts:
                if a in df.columns:
                    df = df.rename(columns={a: col})
                    break
    rows = len(df)
    ranks = {}
    for col in COLUMNS:
        if col not in df.columns:
            ranks[col] = {"categories": 0, "labelled": 0, "labelledPercent": 0, "imbalanceRatio": None}
            continue
        vc = df[col].value_counts(dropna=True)
        labelled = int(vc.sum())
        ranks[col] = {
            "categories": int(len(vc)),
            "labelled": labelled,
            "labelledPercent": percent_half_up(labelled, rows),
            "imbalanceRatio": (int(vc.max()) / int(vc.min())) if len(vc) else None,
        }
    return {"rows": rows, "ranks": ranks}


def main(argv):
    out_dir = None
    if argv and argv[0] == "--out":
        out_dir, argv = argv[1], argv[2:]
    results = []
    for path in argv:
        res = stats(path)
        if out_dir:
            name = os.path.splitext(os.path.basename(path))[0].removeprefix("stats-")
            with open(os.path.join(out_dir, f"stats-{name}.json"), "w") as f:
                json.dump(res, f, indent=2)
                f.write("\n")
        results.append(res)
    if not out_dir:
        print(json.dumps(results[0] if len(results) == 1 else results))


if __name__ == "__main__":
    main(sys.argv[1:])
