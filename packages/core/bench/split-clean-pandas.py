#!/usr/bin/env python3
"""Reference for the split/clean benchmark: the same jobs written the way a pandas user would (Debian
python3-pandas 1.5), timed against `bioscan5m split` / `bioscan5m clean` on the same file.

  split: read_csv(usecols=species, genus, dna_barcode, processid) -> rstrip("N") barcode groups -> majority
         species per barcode -> species sets (paper placeholder rule) -> per-species test/val/unseen allocation
         (same rules as @bioscan5m/core, Python's seeded RNG) -> md5 chunks -> chunked read_csv/to_csv rewrite.
  clean: read_csv(usecols=7 ranks + dna_barcode) -> per barcode and rank: groupby nunique and majority share
         (the conflict scan at the heart of A4.4) -> chunked read_csv/to_csv rewrite. A lower bound for a full
         pandas cleaner (it skips the string rules, inference and hole filling that `bioscan5m clean` also does).

Usage: split-clean-pandas.py split|clean IN.csv OUT.csv [SEED]
"""
import hashlib
import math
import random
import re
import sys

import pandas as pd

RANKS = ["phylum", "class", "order", "family", "subfamily", "genus", "species"]


def is_placeholder(name):
    return bool(name) and (name[0].islower() or "." in name or re.search(r"\d", name) is not None or "malaise" in name.lower())


def pick_test(sizes, rng):
    n, nb = sum(sizes), len(sizes)
    if nb < 2 or n < 8:
        return []
    target = min(math.floor(4 + (n - 8) / 4), 25)
    upper = max(target, min(math.floor(4 + (n - 8) / 3), 25))
    cap = math.floor(1 + (nb - 2) / 3)
    order = list(range(nb))
    rng.shuffle(order)
    chosen, taken = [], 0
    for b in order:
        if len(chosen) >= cap or taken >= target:
            break
        if taken + sizes[b] > upper:
            continue
        chosen.append(b)
        taken += sizes[b]
    return [] if taken < 3 else chosen


def pick_fraction(sizes, fraction, rng):
    if len(sizes) < 2:
        return []
    target = round(fraction * sum(sizes))
    order = list(range(len(sizes)))
    rng.shuffle(order)
    chosen, taken = [], 0
    for b in order:
        if taken >= target or len(chosen) >= len(sizes) - 1:
            break
        if taken + sizes[b] > target:
            continue
        chosen.append(b)
        taken += sizes[b]
    return chosen


def pick_val(sizes, rng):
    n = sum(sizes)
    if len(sizes) < 2:
        return []
    if n >= 20:
        return pick_fraction(sizes, 0.05, rng)
    if n >= 7:
        singles = [i for i, s in enumerate(sizes) if s == 1]
        if singles:
            return [rng.choice(singles)]
    return []


def rewrite(inp, out, fill):
    first = True
    offset = 0
    for chunk in pd.read_csv(inp, dtype=str, keep_default_na=False, chunksize=500_000):
        fill(chunk, offset)
        offset += len(chunk)
        chunk.to_csv(out, mode="w" if first else "a", header=first, index=False)
        first = False


def split(inp, out, seed):
    df = pd.read_csv(inp, usecols=["processid", "genus", "species", "dna_barcode"], dtype=str, keep_default_na=False)
    df["bc"] = df["dna_barcode"].str.rstrip("N")
    lab = df[df["species"] != ""]
    maj = lab.groupby(["bc", "species"]).size().reset_index(name="k").sort_values(["bc", "k", "species"], ascending=[True, False, True])
    maj = maj.drop_duplicates("bc").set_index("bc")["species"]
    df["unit_species"] = df["bc"].map(maj).fillna("")
    units = df[df["unit_species"] != ""].groupby(["unit_species", "bc"]).size()
    genus_of = lab.groupby("species")["genus"].agg(lambda g: g.value_counts().index[0])
    seen_genera = {genus_of.get(s, s.split(" ")[0]) for s in units.index.get_level_values(0).unique() if not is_placeholder(s)}
    rng = random.Random(seed)
    unit_split = {}
    for species, grp in units.groupby(level=0):
        bcs = list(grp.index.get_level_values(1))
        sizes = list(grp.values)
        n = sum(sizes)
        if not is_placeholder(species):
            kind = "seen"
        elif genus_of.get(species, species.split(" ")[0]) in seen_genera and n >= 8:
            kind = "unseen"
        else:
            kind = "heldout"
        if kind == "heldout":
            labels = ["other_heldout"] * len(bcs)
        else:
            labels = ["train" if kind == "seen" else "key_unseen"] * len(bcs)
            for b in pick_test(sizes, rng):
                labels[b] = "test" if kind == "seen" else "test_unseen"
            rest = [i for i in range(len(bcs)) if labels[i] not in ("test", "test_unseen")]
            rs = [sizes[i] for i in rest]
            for j in pick_val(rs, rng) if kind == "seen" else pick_fraction(rs, 0.2, rng):
                labels[rest[j]] = "val" if kind == "seen" else "val_unseen"
        unit_split.update(zip(bcs, labels))
    splits = df["bc"].map(unit_split).fillna("pretrain").tolist()
    width = {"pretrain": 2, "train": 1, "other_heldout": 1}
    chunks = [hashlib.md5(p.encode()).hexdigest()[: width.get(s, 0)] for p, s in zip(df["processid"], splits)]
    del df

    def fill(chunk, offset):
        chunk["split"] = splits[offset : offset + len(chunk)]
        chunk["chunk"] = chunks[offset : offset + len(chunk)]

    rewrite(inp, out, fill)
    print(pd.Series(splits).value_counts().to_string())


def clean(inp, out):
    df = pd.read_csv(inp, usecols=RANKS + ["dna_barcode"], dtype=str, keep_default_na=False)
    df["bc"] = df["dna_barcode"].str.rstrip("N")
    conflicts = 0
    for rank in RANKS:
        lab = df[df[rank] != ""]
        counts = lab.groupby(["bc", rank]).size()
        per_bc = counts.groupby(level=0)
        share = per_bc.max() / per_bc.sum()
        conflicts += int((per_bc.size() > 1).sum())
        _ = (share >= 0.9).sum()
    del df
    rewrite(inp, out, lambda chunk, offset: None)
    print("barcode/rank conflicts:", conflicts)


if __name__ == "__main__":
    mode, inp, out = sys.argv[1:4]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    split(inp, out, seed) if mode == "split" else clean(inp, out)
