#!/usr/bin/python3
"""Golden label vocabularies: pandas category order and codes, as the bioscan-dataset loader builds them
(categories over the whole file, sorted; missing = -1).

Usage (from packages/core):
  /usr/bin/python3 scripts/stats-golden-vocab.py src/__golden__/stats-vocab-synthetic.json src/__golden__/stats-synthetic.csv
  /usr/bin/python3 scripts/stats-golden-vocab.py src/__golden__/stats-vocab-metadata.json ../../apps/cli/data/metadata.csv
Needs Debian's python3-pandas (`apt-get install -y python3-pandas`).
"""
import json
import sys

import pandas as pd

COLUMNS = ["phylum", "class", "order", "family", "subfamily", "genus", "species", "dna_bin"]
# pandas >= 2.0 default na_values, explicit so every pandas version agrees (see stats-golden.py).
NA_VALUES = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
             "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]


def main(out, path):
    sep = "\t" if path.endswith((".tsv", ".tab")) else ","
    dtype = {c: "category" for c in COLUMNS}
    df = pd.read_csv(path, sep=sep, dtype=dtype, keep_default_na=False, na_values=NA_VALUES, low_memory=False)
    res = {}
    for col in COLUMNS:
        cat = df[col].cat
        res[col] = {"categories": [str(c) for c in cat.categories], "codes": [int(c) for c in cat.codes]}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
