#!/usr/bin/env python3
"""A small BERT-shaped DNA encoder built in PyTorch with a fixed seed, exported to ONNX the way BarcodeBERT
models are shared (inputs input_ids, attention_mask, token_type_ids; output last_hidden_state), plus reference
masked-mean embeddings for a few real barcodes. src/onnx/torch-onnx.test.ts checks that our onnxruntime path
reproduces them. Needs Debian python3-torch (installed here if missing).

Run from the repo root:  /usr/bin/python3 packages/dna/scripts/export-tiny-bert.py
"""
import json, math, os, subprocess, sys

try:
    import torch
except ImportError:
    subprocess.run(["apt-get", "install", "-y", "python3-torch"], check=True)
    import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from tokenizer_reference import KmerTokenizer, build_vocab  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "src", "onnx", "fixtures")
GOLDEN = os.path.join(HERE, "..", "src", "tokenizer", "golden-tokens.json")
K, HIDDEN, LAYERS, HEADS, INTER, MAX_LEN = 4, 32, 2, 4, 64, 660


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN)
        self.o = nn.Linear(HIDDEN, HIDDEN)
        self.ln1, self.ln2 = nn.LayerNorm(HIDDEN, eps=1e-12), nn.LayerNorm(HIDDEN, eps=1e-12)
        self.f1, self.f2 = nn.Linear(HIDDEN, INTER), nn.Linear(INTER, HIDDEN)

    def forward(self, x, bias):
        b, l, _ = x.shape
        dh = HIDDEN // HEADS
        split = lambda t: t.view(b, l, HEADS, dh).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + bias, dim=-1)
        ctx = (p @ v).transpose(1, 2).reshape(b, l, HIDDEN)
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.f2(nn.functional.gelu(self.f1(x))))


class TinyBert(nn.Module):
    """BertModel's computation (post-LN, erf GELU, word + position + token-type embeddings)."""

    def __init__(self, vocab):
        super().__init__()
        self.word = nn.Embedding(vocab, HIDDEN)
        self.pos = nn.Embedding(MAX_LEN // K, HIDDEN)
        self.token_type = nn.Embedding(2, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])

    def forward(self, input_ids, attention_mask, token_type_ids):
        pos = torch.arange(input_ids.shape[1]).unsqueeze(0)
        x = self.ln(self.word(input_ids) + self.pos(pos) + self.token_type(token_type_ids))
        bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return x


def main():
    torch.manual_seed(2024)
    vocab = build_vocab(K)
    model = TinyBert(len(vocab)).eval()
    with torch.no_grad():  # spread the weights so the outputs are far from trivial
        for p in model.parameters():
            p.mul_(3.0)
    seqs = json.load(open(GOLDEN))["sequences"][:6]
    tok = KmerTokenizer(K, vocab)
    enc = [tok(s.rstrip("N")) for s in seqs]
    ids = torch.tensor([e[0] for e in enc], dtype=torch.int64)
    mask = torch.tensor([e[1] for e in enc], dtype=torch.int64)
    types = torch.zeros_like(ids)
    with torch.no_grad():
        h = model(ids, mask, types)
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1)
    os.makedirs(FIX, exist_ok=True)
    onnx_path = os.path.join(FIX, "tiny-bert-k4.onnx")
    torch.onnx.export(model, (ids, mask, types), onnx_path, input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state"], opset_version=17,
                      dynamic_axes={"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}, "token_type_ids": {0: "batch"}, "last_hidden_state": {0: "batch"}})
    with open(os.path.join(FIX, "tiny-bert-k4.expected.json"), "w") as f:
        json.dump({"source": "scripts/export-tiny-bert.py (torch " + torch.__version__ + ")", "k": K, "sequences": seqs,
                   "pooled": [[round(float(v), 7) for v in row] for row in pooled]}, f)
    print("wrote", onnx_path, os.path.getsize(onnx_path), "bytes")


if __name__ == "__main__":
    main()
