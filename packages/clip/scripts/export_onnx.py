#!/usr/bin/env python3
"""Export text encoders for @bioscan5m/clip to ONNX (run once, offline; nothing is downloaded at run time).

Needs Debian python3-torch (`apt-get install -y python3-torch`); the --hf mode also needs the `transformers`
package and a local copy of the model folder (config.json, pytorch_model.bin / model.safetensors, vocab.txt).

  # CLIBD's text tower: BERT-small (prajjwal1/bert-small, hidden 512), 20 tokens. Writes OUT.onnx with inputs
  # input_ids / attention_mask / token_type_ids and output last_hidden_state; createTextEncoder mean-pools it.
  /usr/bin/python3 export_onnx.py --hf path/to/bert-small --out bert-small.onnx
  #   with --projection W.npy [--projection-bias b.npy] the Linear(512->768) of a trained CLIBD checkpoint is
  #   appended after the masked mean (output `embedding`, [batch, 768]).
  # Image (ViT-B/16) and DNA (BarcodeBERT) towers: export with @bioscan5m/vision and @bioscan5m/dna's scripts;
  # any ONNX that maps a batch to [batch, dim] plugs into the same Encoder contract.

  # The test fixture (a tiny BERT built in plain PyTorch with a fixed seed, plus its reference embeddings):
  /usr/bin/python3 packages/clip/scripts/export_onnx.py --tiny packages/clip/src/encoders/fixtures
"""
import argparse
import json
import math
import os
import re
import unicodedata

import torch
from torch import nn


class MaskedMeanProjection(nn.Module):
    """BERT last layer -> mean over attended tokens -> optional Linear (CLIBD's text tower)."""

    def __init__(self, bert, weight=None, bias=None):
        super().__init__()
        self.bert = bert
        self.proj = None
        if weight is not None:
            self.proj = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
            with torch.no_grad():
                self.proj.weight.copy_(weight)
                if bias is not None:
                    self.proj.bias.copy_(bias)

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)[0]
        if self.proj is None:
            return h
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        return self.proj((h * m).sum(1) / m.sum(1).clamp(min=1))


def export(model, example, out, output_name):
    torch.onnx.export(model, example, out, input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=[output_name], opset_version=17,
                      dynamic_axes={"input_ids": {0: "batch"}, "attention_mask": {0: "batch"},
                                    "token_type_ids": {0: "batch"}, output_name: {0: "batch"}})


def export_hf(folder, out, projection, projection_bias, length=20):
    import numpy as np
    from transformers import BertModel  # the user's machine; not a dependency of this repository

    bert = BertModel.from_pretrained(folder).eval()
    w = torch.from_numpy(np.load(projection)).float() if projection else None
    b = torch.from_numpy(np.load(projection_bias)).float() if projection_bias else None
    model = MaskedMeanProjection(bert, w, b).eval()
    ids = torch.zeros((2, length), dtype=torch.int64)
    export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), out, "embedding" if w is not None else "last_hidden_state")
    print("wrote", out)


# ---- tiny fixture -------------------------------------------------------------------------------------------

HIDDEN, LAYERS, HEADS, INTER, LENGTH = 32, 2, 4, 64, 20
TEXTS = [
    "Diptera Cecidomyiidae not_classified not_classified",
    "Hymenoptera Braconidae Apanteles Apanteles_sp1",
    "Lepidoptera Lasiocampidae Dendrolimus Dendrolimus spectabilis",
    "Coleoptera not_classified not_classified not_classified",
    "Diptera Chironomidae Tanytarsus Tanytarsus mendax",
    "Hemiptera Cicadellidae Empoasca Empoasca vitis",
]


def basic_tokens(text):
    """BertTokenizer's basic step: lower-case, strip accents, split on whitespace and punctuation."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    out = []
    for w in text.split():
        out += [t for t in re.split(r"([^\w]|_)", w) if t]
    return out


def wordpiece(words, vocab):
    ids = []
    for w in words:
        start, pieces = 0, []
        while start < len(w):
            end, cur = len(w), None
            while start < end:
                sub = w[start:end] if start == 0 else "##" + w[start:end]
                if sub in vocab:
                    cur = sub
                    break
                end -= 1
            if cur is None:
                pieces = ["[UNK]"]
                break
            pieces.append(cur)
            start = end
        ids += [vocab[p] for p in pieces]
    return ids


def make_vocab():
    words = sorted({t for text in TEXTS[:4] for t in basic_tokens(text)})
    chars = sorted({c for text in TEXTS for c in text.lower() if not c.isspace()})
    return ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["##" + c for c in chars] + [w for w in words if w not in chars]


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(HIDDEN, HIDDEN) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(HIDDEN, eps=1e-12), nn.LayerNorm(HIDDEN, eps=1e-12)
        self.f1, self.f2 = nn.Linear(HIDDEN, INTER), nn.Linear(INTER, HIDDEN)

    def forward(self, x, bias):
        b, l, _ = x.shape
        dh = HIDDEN // HEADS
        split = lambda t: t.view(b, l, HEADS, dh).transpose(1, 2)
        p = torch.softmax(split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(dh) + bias, dim=-1)
        ctx = (p @ split(self.v(x))).transpose(1, 2).reshape(b, l, HIDDEN)
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.f2(nn.functional.gelu(self.f1(x))))


class TinyBert(nn.Module):
    """BertModel's computation (post-LN, erf GELU, word + position + token-type embeddings)."""

    def __init__(self, vocab_size):
        super().__init__()
        self.word, self.pos, self.token_type = nn.Embedding(vocab_size, HIDDEN), nn.Embedding(LENGTH, HIDDEN), nn.Embedding(2, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])

    def forward(self, input_ids, attention_mask, token_type_ids):
        x = self.ln(self.word(input_ids) + self.pos(torch.arange(input_ids.shape[1]).unsqueeze(0)) + self.token_type(token_type_ids))
        bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return (x,)


def export_tiny(folder):
    torch.manual_seed(2025)
    tokens = make_vocab()
    vocab = {t: i for i, t in enumerate(tokens)}
    rows = []
    for text in TEXTS:
        ids = [vocab["[CLS]"]] + wordpiece(basic_tokens(text), vocab)[: LENGTH - 2] + [vocab["[SEP]"]]
        rows.append(ids + [vocab["[PAD]"]] * (LENGTH - len(ids)))
    ids = torch.tensor(rows, dtype=torch.int64)
    mask = (ids != vocab["[PAD]"]).to(torch.int64)
    bert = TinyBert(len(tokens)).eval()
    with torch.no_grad():
        for p in bert.parameters():
            p.mul_(3.0)
    model = MaskedMeanProjection(bert).eval()
    with torch.no_grad():
        h = model(ids, mask, torch.zeros_like(ids))
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "tiny-text-vocab.txt"), "w") as fh:
        fh.write("\n".join(tokens) + "\n")
    export(model, (ids, mask, torch.zeros_like(ids)), os.path.join(folder, "tiny-text-bert.onnx"), "last_hidden_state")
    with open(os.path.join(folder, "tiny-text-bert.expected.json"), "w") as fh:
        json.dump({"source": f"scripts/export_onnx.py --tiny (torch {torch.__version__})", "length": LENGTH, "texts": TEXTS,
                   "ids": rows, "pooled": [[round(float(v), 7) for v in r] for r in pooled]}, fh)
        fh.write("\n")
    print("wrote", folder)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", metavar="DIR", help="write the tiny test fixture to DIR")
    ap.add_argument("--hf", metavar="DIR", help="a local Hugging Face BERT folder to export")
    ap.add_argument("--out", help="output .onnx for --hf")
    ap.add_argument("--projection", help="a (768, 512) .npy weight appended after mean pooling")
    ap.add_argument("--projection-bias", help="its (768,) bias .npy")
    a = ap.parse_args()
    if a.tiny:
        export_tiny(a.tiny)
    elif a.hf and a.out:
        export_hf(a.hf, a.out, a.projection, a.projection_bias)
    else:
        ap.error("give --tiny DIR, or --hf DIR --out FILE.onnx")


if __name__ == "__main__":
    main()
