#!/usr/bin/env python3
"""Golden token ids for src/tokenizer/kmer.test.ts, from a line-for-line port of BarcodeBERT's KmerTokenizer
(stride k, padding to 660 with N, vocab = [MASK], [UNK] + itertools.product("ACGT", repeat=k); the data loader
strips trailing N). Python stdlib only. Reads real barcodes from ../shared/data/dna/coi_barcodes.csv.

Run from the repo root:  python3 packages/dna/scripts/tokenizer_reference.py
"""
import csv, json, os, random
from itertools import product

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DATA = os.path.join(ROOT, "..", "shared", "data", "dna", "coi_barcodes.csv")
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "tokenizer", "golden-tokens.json")


def build_vocab(k):
    vocab = {"[MASK]": 0, "[UNK]": 1}
    for kmer in product("ACGT", repeat=k):
        vocab["".join(kmer)] = len(vocab)
    return vocab


class KmerTokenizer:
    """BarcodeBERT (bioscan-ml/BarcodeBERT) tokenizer, torch tensors replaced by lists."""

    def __init__(self, k, vocab, stride=None, padding=True, max_len=660):
        self.k, self.vocab, self.stride, self.padding, self.max_len = k, vocab, stride or k, padding, max_len

    def __call__(self, dna_sequence, offset=0):
        tokens = []
        att_mask = [1] * (self.max_len // self.stride)
        x = dna_sequence[offset:]
        if self.padding:
            if len(x) > self.max_len:
                x = x[: self.max_len]
            else:
                att_mask[len(x) // self.stride :] = [0] * (len(att_mask) - len(x) // self.stride)
                x = x + "N" * (self.max_len - len(x))
        for i in range(0, len(x) - self.k + 1, self.stride):
            tokens.append(x[i : i + self.k])
        ids = [self.vocab.get(t, self.vocab["[UNK]"]) for t in tokens]
        return ids, att_mask


def main():
    with open(DATA, newline="") as f:
        rows = list(csv.DictReader(f))
    rnd = random.Random(5)
    picked = rnd.sample(rows, 24)
    # Make sure the awkward cases are covered: gaps, N inside, lowercase, short and long sequences.
    for pred in (lambda s: "-" in s, lambda s: "N" in s.rstrip("N"), lambda s: any(c.islower() for c in s),
                 lambda s: len(s) < 200, lambda s: len(s) > 700, lambda s: s.endswith("N")):
        hit = next((r for r in rows if pred(r["dna_barcode"])), None)
        if hit is not None:
            picked.append(hit)
    seqs = [r["dna_barcode"].upper() for r in picked]
    seqs.append("NNNNACGTACGTTTGA" * 3)  # leading N kept
    seqs.append("")
    cases = []
    for k in (4, 5, 6, 8):
        tok = KmerTokenizer(k, build_vocab(k))
        for i, s in enumerate(seqs):
            offset = i % k
            ids, mask = tok(s.rstrip("N"), offset=offset)
            cases.append({"k": k, "seq": i, "offset": offset, "ids": ids, "mask": mask})
    with open(OUT, "w") as f:
        json.dump({"source": "scripts/tokenizer_reference.py", "sequences": seqs, "cases": cases}, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases over {len(seqs)} sequences to {OUT}")


if __name__ == "__main__":
    main()
