#!/usr/bin/python3
"""Writes the small synthetic BIOSCAN-5M-format CSV used by the stats and vocabulary golden tests.

Usage: /usr/bin/python3 stats-golden-fixture.py OUT.csv [ROWS] [SEED]

It holds the awkward cases a real-world reader meets: a UTF-8 BOM, CRLF line ends, quoted fields with commas,
escaped quotes and a line break, pandas NA tokens ("NA", "None", "nan"), non-ASCII and astral (above U+FFFF)
labels whose code-point order differs from UTF-16 order, coordinates written two ways ("1.50" and "1.5"),
and a power-law spread of category sizes.
"""
import random
import sys

FIELDS = ["processid", "sampleid", "taxon", "phylum", "class", "order", "family", "subfamily", "genus", "species",
          "dna_bin", "dna_barcode", "country", "province_state", "coord-lat", "coord-lon", "image_measurement_value",
          "area_fraction", "scale_factor", "inferred_ranks", "split", "index_bioscan_1M_insect", "chunk"]
SPLITS = ["pretrain", "train", "val", "test", "key_unseen", "val_unseen", "test_unseen", "other_heldout"]
ODD_LABELS = ["Zygaena \U0001D49C", "Zygaena \uFB01lix", "Éphemera", "NA", "None", "nan", "Ephemera, \"the\" fly",
              "Line\nbreak", "aff. sp", "Ω-mega"]


def quote(v):
    if any(c in v for c in ',"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def pick(rng, prefix, n, missing):
    if rng.random() < missing:
        return ""
    # power law over n names
    k = min(int(rng.paretovariate(1.1)) - 1, n - 1)
    return f"{prefix}{k:03d}"


def main(out, rows=3000, seed=7):
    rng = random.Random(seed)
    barcodes = ["".join(rng.choice("ACGT") for _ in range(40)) for _ in range(rows // 3)]
    lines = [",".join(FIELDS)]
    for i in range(rows):
        rec = {f: "" for f in FIELDS}
        rec["processid"] = f"SYN{i:06d}-24"
        rec["sampleid"] = f"S{i}"
        rec["phylum"] = "Arthropoda" if rng.random() < 0.99 else ("NA" if rng.random() < 0.5 else "")
        rec["class"] = pick(rng, "Class", 5, 0.01)
        rec["order"] = pick(rng, "Order", 20, 0.02)
        rec["family"] = pick(rng, "Family", 80, 0.05)
        rec["subfamily"] = pick(rng, "Subfamily", 100, 0.7)
        rec["genus"] = pick(rng, "Genus", 200, 0.75)
        rec["species"] = pick(rng, "Genus sp", 400, 0.9)
        if rng.random() < 0.03:
            rec["species"] = rng.choice(ODD_LABELS)
        if rng.random() < 0.02:
            rec["genus"] = rng.choice(ODD_LABELS)
        rec["taxon"] = rec["species"] or rec["genus"] or rec["family"]
        rec["dna_bin"] = pick(rng, "BOLD:AAA", 900, 0.01)
        r = rng.random()
        rec["dna_barcode"] = "" if r < 0.01 else ("NA" if r < 0.015 else rng.choice(barcodes) + ("N" * rng.randint(0, 2)))
        rec["country"] = rng.choice(["Costa Rica", "Canada", "South Africa", "", "Thailand"])
        rec["province_state"] = rng.choice(["Guanacaste", "Ontario", "", "Western Cape", "Chiang Mai"])
        if rng.random() < 0.97:
            lat = rng.choice([10.5, 43.25, -33.9, 18.75, 0.0])
            rec["coord-lat"] = rng.choice([f"{lat}", f"{lat:.2f}"])
            rec["coord-lon"] = f"{rng.choice([-85.6, -80.1, 18.4, 98.9])}"
        rec["image_measurement_value"] = str(rng.randint(1000, 90000))
        rec["area_fraction"] = f"{rng.random():.4f}"
        rec["scale_factor"] = f"{rng.uniform(0.5, 2):.4f}"
        rec["inferred_ranks"] = str(rng.randint(0, 6))
        rec["split"] = rng.choice(SPLITS)
        rec["index_bioscan_1M_insect"] = str(i) if rng.random() < 0.2 else ""
        rec["chunk"] = f"{rng.randint(0, 255):02x}" if rec["split"] == "pretrain" else ""
        lines.append(",".join(quote(rec[f]) for f in FIELDS))
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("\ufeff" + "\r\n".join(lines) + "\r\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000, int(sys.argv[3]) if len(sys.argv) > 3 else 7)
