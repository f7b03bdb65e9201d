#!/usr/bin/env python3
"""Exports a published BarcodeBERT checkpoint (a file you downloaded yourself; nothing is fetched here) to ONNX
for `bioscan5m dna benchmark --onnx` / `dna probe --onnx` / createDnaEncoder({ kind: 'onnx' }).

Accepted inputs (weights are read, never executed as code where avoidable):
  * a Hugging Face model folder: config.json + model.safetensors or pytorch_model.bin (BertModel /
    BertForMaskedLM / BertForTokenClassification keys, e.g. bioscan-ml/BarcodeBERT);
  * a BarcodeBERT repository checkpoint (.pt) holding {"model": state_dict, ...} (torch.load, weights_only when
    the file allows it).
The BERT computation is rebuilt in plain PyTorch (post-LN, erf GELU, learned positions; the same module as
scripts/export-tiny-bert.py, which src/onnx/torch-onnx.test.ts checks our onnxruntime path against), so only
Debian's python3-torch is needed (installed here if missing), not transformers.

The ONNX graph has inputs input_ids, attention_mask, token_type_ids (int64 [batch, tokens]) and output
last_hidden_state; our encoder mean-pools it over attended tokens, the embedding of Table 4's probes. Our
tokenizer is BarcodeBERT's (non-overlapping k-mers, [MASK]=0, [UNK]=1, then the 4^k k-mers in ACGT order): give
the checkpoint's k to bioscan5m (--onnx-k); a checkpoint whose vocabulary is not 4^k + 2 is refused unless
--allow-vocab says you checked its token order.

  python3 packages/dna/scripts/export-barcodebert-onnx.py MODEL_DIR_OR_PT --k 4 --out barcodebert.onnx
  bioscan5m dna benchmark --data ../shared/data/dna/coi_barcodes.csv --out bench-bb --onnx barcodebert.onnx --onnx-k 4
"""
import argparse, json, math, os, struct, subprocess, sys

try:
    import torch
except ImportError:
    subprocess.run(["apt-get", "install", "-y", "python3-torch"], check=True)
    import torch
from torch import nn


def read_safetensors(path):
    """The safetensors format (8-byte header length, JSON header, raw little-endian data), read with torch only."""
    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        blob = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        out[name] = torch.frombuffer(bytearray(blob[a:b]), dtype=dtypes[t["dtype"]]).reshape(t["shape"]).float()
    return out


def load_state(src):
    if os.path.isdir(src):
        cfg = json.load(open(os.path.join(src, "config.json")))
        st = os.path.join(src, "model.safetensors")
        state = read_safetensors(st) if os.path.exists(st) else torch.load(os.path.join(src, "pytorch_model.bin"), map_location="cpu", weights_only=True)
        return state, cfg
    try:
        ck = torch.load(src, map_location="cpu", weights_only=True)
    except Exception:  # BarcodeBERT's .pt also pickles its argparse config
        ck = torch.load(src, map_location="cpu", weights_only=False)
    state = ck.get("model", ck.get("state_dict", ck)) if isinstance(ck, dict) else ck
    return state, {}


def bert_weights(state):
    """Keys from 'embeddings.' / 'encoder.' on, whatever prefix the model class added (bert., base_model., ...)."""
    out = {}
    for k, v in state.items():
        for root in ("embeddings.", "encoder."):
            i = k.find(root)
            if i >= 0 and (i == 0 or k[i - 1] == "."):
                out[k[i:]] = v.float()
                break
    if "embeddings.word_embeddings.weight" not in out:
        sys.exit("no BERT weights found (expected ...embeddings.word_embeddings.weight)")
    return out


class Layer(nn.Module):
    def __init__(self, hidden, heads, inter, eps):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(hidden, hidden) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(hidden, eps=eps), nn.LayerNorm(hidden, eps=eps)
        self.f1, self.f2 = nn.Linear(hidden, inter), nn.Linear(inter, hidden)

    def forward(self, x, bias):
        b, l, d = x.shape
        dh = d // self.heads
        split = lambda t: t.view(b, l, self.heads, dh).transpose(1, 2)
        p = torch.softmax(split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(dh) + bias, dim=-1)
        x = self.ln1(x + self.o((p @ split(self.v(x))).transpose(1, 2).reshape(b, l, d)))
        return self.ln2(x + self.f2(nn.functional.gelu(self.f1(x))))


class Bert(nn.Module):
    def __init__(self, w, heads, eps):
        super().__init__()
        vocab, hidden = w["embeddings.word_embeddings.weight"].shape
        layers = 1 + max(int(k.split(".")[2]) for k in w if k.startswith("encoder.layer."))
        inter = w["encoder.layer.0.intermediate.dense.weight"].shape[0]
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(w["embeddings.position_embeddings.weight"].shape[0], hidden)
        self.token_type = nn.Embedding(w.get("embeddings.token_type_embeddings.weight", torch.zeros(2, hidden)).shape[0], hidden)
        self.ln = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList([Layer(hidden, heads, inter, eps) for _ in range(layers)])
        pairs = {"word.weight": "embeddings.word_embeddings.weight", "pos.weight": "embeddings.position_embeddings.weight",
                 "token_type.weight": "embeddings.token_type_embeddings.weight", "ln.weight": "embeddings.LayerNorm.weight",
                 "ln.bias": "embeddings.LayerNorm.bias"}
        for i in range(layers):
            e = f"encoder.layer.{i}."
            for ours, theirs in [("q", "attention.self.query"), ("k", "attention.self.key"), ("v", "attention.self.value"),
                                 ("o", "attention.output.dense"), ("ln1", "attention.output.LayerNorm"),
                                 ("f1", "intermediate.dense"), ("f2", "output.dense"), ("ln2", "output.LayerNorm")]:
                for p in ("weight", "bias"):
                    pairs[f"layers.{i}.{ours}.{p}"] = e + theirs + "." + p
        own = self.state_dict()
        for ours, theirs in pairs.items():
            if theirs not in w:
                if ours == "token_type.weight":
                    continue  # no token types: zeros
                sys.exit(f"missing weight {theirs}")
            own[ours] = w[theirs]
        self.load_state_dict(own)
        self.vocab, self.hidden, self.n_layers = vocab, hidden, layers

    def forward(self, input_ids, attention_mask, token_type_ids):
        pos = torch.arange(input_ids.shape[1]).unsqueeze(0)
        x = self.ln(self.word(input_ids) + self.pos(pos) + self.token_type(token_type_ids))
        bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--k", type=int, required=True, help="k-mer length of the checkpoint's tokenizer")
    ap.add_argument("--heads", type=int, help="attention heads (default: config.json's num_attention_heads)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--allow-vocab", action="store_true", help="accept a vocabulary other than 4^k + 2")
    a = ap.parse_args()
    if os.path.abspath(a.out) == os.path.abspath(a.checkpoint):
        sys.exit("--out would overwrite the checkpoint")
    state, cfg = load_state(a.checkpoint)
    heads = a.heads or cfg.get("num_attention_heads")
    if not heads:
        sys.exit("give --heads (no config.json with num_attention_heads)")
    model = Bert(bert_weights(state), heads, cfg.get("layer_norm_eps", 1e-12)).eval()
    if model.vocab != 4 ** a.k + 2 and not a.allow_vocab:
        sys.exit(f"vocabulary {model.vocab} is not 4^{a.k} + 2: not our tokenizer's ([MASK], [UNK], k-mers); check --k or pass --allow-vocab")
    tokens = 660 // a.k
    ids = torch.randint(2, model.vocab, (2, tokens))
    mask = torch.ones_like(ids)
    tmp = a.out + ".tmp"
    axes = {n: {0: "batch"} for n in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")}
    torch.onnx.export(model, (ids, mask, torch.zeros_like(ids)), tmp, input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state"], opset_version=17, dynamic_axes=axes)
    os.replace(tmp, a.out)  # atomic: no half-written model under the final name
    print(f"wrote {a.out}: {model.n_layers} layers, {heads} heads, hidden {model.hidden}, vocabulary {model.vocab}; use --onnx-k {a.k}")


if __name__ == "__main__":
    main()
