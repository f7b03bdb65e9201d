#!/usr/bin/env python3
"""Reference for train-bench.ts: the same alignment step in PyTorch CPU (Debian python3-torch): Linear heads over
frozen features, L2 normalisation, symmetric InfoNCE over the modality pairs with a learnable logit scale, AdamW.
Prints one JSON line with pairs/s."""
import json, math, sys, time
import torch
import torch.nn.functional as F

batch, steps, out_dim = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
dims = json.loads(sys.argv[4])  # {"image": 768, "dna": 768, "text": 512}
torch.manual_seed(0)
heads = {m: torch.nn.Linear(d, out_dim) for m, d in dims.items()}
logit_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))
params = [p for h in heads.values() for p in h.parameters()] + [logit_scale]
opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
feats = {m: torch.randn(batch * 8, d) for m, d in dims.items()}
mods = list(dims)
pairs = [(a, b) for i, a in enumerate(mods) for b in mods[i + 1:]]
labels = torch.arange(batch)


def step(s):
    lo = (s % 8) * batch
    z = {m: F.normalize(heads[m](feats[m][lo:lo + batch]), dim=-1) for m in mods}
    loss = 0
    for a, b in pairs:
        logits = logit_scale.exp() * z[a] @ z[b].t()
        loss = loss + (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2
    loss = loss / len(pairs)
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        logit_scale.clamp_(0, math.log(100))


for s in range(3):
    step(s)
t = time.perf_counter()
for s in range(steps):
    step(s)
sec = time.perf_counter() - t
print(json.dumps({"tool": f"torch {torch.__version__} CPU", "threads": torch.get_num_threads(), "pairs_per_s": batch * steps / sec, "seconds": sec}))
