#!/usr/bin/env python3
"""PyTorch golden values for src/train/torch-step.test.ts: one MLM training step of a tiny BarcodeBERT-style model
(post-LN BERT encoder, exact GELU, MLM head, masked cross-entropy) written with plain torch ops, in float64: the
loss, every gradient, and the weights after one torch.optim.AdamW step (lr 1e-3, weight decay 0.01). Weights and
the batch are drawn here (seeded) and stored with the results, under our parameter names and layout (dense
weights [in, out], fused q|k|v columns, head-major).

Run from the repo root (Debian python3-torch):  /usr/bin/python3 packages/dna/scripts/mlm_step_reference.py
"""
import json, math, os
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "train", "fixtures", "mlm-step-torch.json")
torch.manual_seed(7)
cfg = dict(k=2, vocabSize=18, maxLen=24, maxTokens=12, layers=2, heads=2, hidden=8, intermediate=16,
           layerNormEps=1e-12, prependCls=False)
B, L, d, f, V, H = 3, cfg["maxTokens"], cfg["hidden"], cfg["intermediate"], cfg["vocabSize"], cfg["heads"]
eps = cfg["layerNormEps"]

shapes = [("embeddings.word", [V, d]), ("embeddings.position", [L, d]), ("embeddings.ln.gamma", [d]),
          ("embeddings.ln.beta", [d])]
for l in range(cfg["layers"]):
    p = f"layer{l}."
    shapes += [(p + "qkv.w", [d, 3 * d]), (p + "qkv.b", [3 * d]), (p + "attn_out.w", [d, d]), (p + "attn_out.b", [d]),
               (p + "ln1.gamma", [d]), (p + "ln1.beta", [d]), (p + "ffn_in.w", [d, f]), (p + "ffn_in.b", [f]),
               (p + "ffn_out.w", [f, d]), (p + "ffn_out.b", [d]), (p + "ln2.gamma", [d]), (p + "ln2.beta", [d])]
shapes += [("mlm.transform.w", [d, d]), ("mlm.transform.b", [d]), ("mlm.ln.gamma", [d]), ("mlm.ln.beta", [d]),
           ("mlm.decoder.w", [d, V]), ("mlm.decoder.b", [V])]
# Non-trivial values everywhere (biases and LayerNorm parameters too), so every gradient path is exercised.
P = {}
for name, shape in shapes:
    t = torch.randn(*shape, dtype=torch.float64) * (0.3 if name.endswith(".w") or name.startswith("embeddings.") else 0.1)
    if name.endswith(".gamma"):
        t = 1 + t
    P[name] = t.float().double().requires_grad_(True)  # float32-representable start values

lengths = [12, 9, 5]
mask = torch.tensor([[1 if t < n else 0 for t in range(L)] for n in lengths])
ids = torch.randint(2, V, (B, L))
ids[mask == 0] = 1
flat_mask = mask.reshape(-1)
candidates = [i for i in range(B * L) if flat_mask[i] == 1]
g = torch.Generator().manual_seed(3)
positions = sorted(candidates[i] for i in torch.randperm(len(candidates), generator=g)[: len(candidates) // 2].tolist())
labels = ids.reshape(-1)[positions].clone()
inp = ids.reshape(-1).clone()
inp[positions] = 0  # [MASK]
inp = inp.reshape(B, L)


def ln(x, pre):
    return F.layer_norm(x, (x.shape[-1],), P[pre + ".gamma"], P[pre + ".beta"], eps)


def loss_fn():
    x = ln(P["embeddings.word"][inp] + P["embeddings.position"][:L], "embeddings.ln")
    bias = (1.0 - mask[:, None, None, :].double()) * -1e4
    dh = d // H
    for l in range(cfg["layers"]):
        p = f"layer{l}."
        qkv = x @ P[p + "qkv.w"] + P[p + "qkv.b"]
        q, k, v = qkv.view(B, L, 3, H, dh).permute(2, 0, 3, 1, 4)
        pr = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + bias, dim=-1)
        ctx = (pr @ v).transpose(1, 2).reshape(B, L, d)
        x = ln(x + ctx @ P[p + "attn_out.w"] + P[p + "attn_out.b"], p + "ln1")
        h = F.gelu(x @ P[p + "ffn_in.w"] + P[p + "ffn_in.b"])
        x = ln(x + h @ P[p + "ffn_out.w"] + P[p + "ffn_out.b"], p + "ln2")
    h = x.reshape(-1, d)[torch.tensor(positions)]
    t = ln(F.gelu(h @ P["mlm.transform.w"] + P["mlm.transform.b"]), "mlm.ln")
    return F.cross_entropy(t @ P["mlm.decoder.w"] + P["mlm.decoder.b"], labels)


start = {n: P[n].detach().clone() for n, _ in shapes}
loss = loss_fn()
loss.backward()
grads = {n: P[n].grad.detach().clone() for n, _ in shapes}
opt = torch.optim.AdamW([P[n] for n, _ in shapes], lr=1e-3, weight_decay=0.01)
opt.step()
flat = lambda t: [float(x) for x in t.reshape(-1)]
json.dump({
    "source": f"scripts/mlm_step_reference.py (torch {torch.__version__}, float64)",
    "config": cfg, "batch": B, "lr": 1e-3, "weightDecay": 0.01,
    "ids": inp.reshape(-1).tolist(), "attentionMask": mask.reshape(-1).tolist(), "positions": positions,
    "labels": labels.tolist(),
    "shapes": {n: s for n, s in shapes},
    "weights": {n: flat(start[n]) for n, _ in shapes},
    "loss": float(loss), "grads": {n: flat(grads[n]) for n, _ in shapes},
    "updated": {n: flat(P[n].detach()) for n, _ in shapes},
}, open(OUT, "w"))
print(f"wrote {OUT}: loss {float(loss):.6f}")
