#!/usr/bin/env python3
"""PyTorch CPU reference for bench/mlm-throughput.ts: the same BarcodeBERT-style MLM step as ours (k-mer
tokens, post-LN BERT encoder, 50% masking, loss on masked tokens, AdamW), timed the same way (sequences/s over
the steps after one warm-up step). Debian python3-torch; installed here if missing.

Usage: /usr/bin/python3 bench/mlm_throughput_torch.py SEQS.txt --k 6 --layers 2 --heads 4 --hidden 256 --batch 64 --steps 4 --threads 2
(--threads: torch.set_num_threads; 0 leaves torch's default.) Peak RSS (ru_maxrss) is in the JSON.
Prints one JSON line.
"""
import argparse, json, math, os, random, resource, subprocess, sys, time

try:
    import torch
except ImportError:
    subprocess.run(["apt-get", "install", "-y", "python3-torch"], check=True)
    import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from tokenizer_reference import KmerTokenizer, build_vocab  # noqa: E402


class Layer(nn.Module):
    def __init__(self, d, heads, inter):
        super().__init__()
        self.heads = heads
        self.qkv, self.o = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-12), nn.LayerNorm(d, eps=1e-12)
        self.f1, self.f2 = nn.Linear(d, inter), nn.Linear(inter, d)

    def forward(self, x, bias):
        b, l, d = x.shape
        dh = d // self.heads
        q, k, v = self.qkv(x).view(b, l, 3, self.heads, dh).permute(2, 0, 3, 1, 4)
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + bias, dim=-1)
        x = self.ln1(x + self.o((p @ v).transpose(1, 2).reshape(b, l, d)))
        return self.ln2(x + self.f2(nn.functional.gelu(self.f1(x))))


class Mlm(nn.Module):
    def __init__(self, vocab, tokens, d, layers, heads, inter):
        super().__init__()
        self.word, self.pos = nn.Embedding(vocab, d), nn.Embedding(tokens, d)
        self.ln = nn.LayerNorm(d, eps=1e-12)
        self.layers = nn.ModuleList([Layer(d, heads, inter) for _ in range(layers)])
        self.t, self.tln, self.dec = nn.Linear(d, d), nn.LayerNorm(d, eps=1e-12), nn.Linear(d, vocab)

    def forward(self, ids, mask, positions):
        x = self.ln(self.word(ids) + self.pos.weight[: ids.shape[1]])
        bias = (1.0 - mask[:, None, None, :].float()) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        h = x.reshape(-1, x.shape[-1])[positions]
        return self.dec(self.tln(nn.functional.gelu(self.t(h))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seqs")
    for name, default in (("k", 6), ("layers", 2), ("heads", 4), ("hidden", 256), ("batch", 64), ("steps", 4), ("threads", 0)):
        ap.add_argument(f"--{name}", type=int, default=default)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rnd = random.Random(0)
    seqs = [s.strip().upper() for s in open(a.seqs) if s.strip()]
    vocab = build_vocab(a.k)
    tok = KmerTokenizer(a.k, vocab)
    model = Mlm(len(vocab), 660 // a.k, a.hidden, a.layers, a.heads, 4 * a.hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    times, losses = [], []
    for step in range(a.steps):
        t0 = time.perf_counter()
        batch = [tok(rnd.choice(seqs).rstrip("N"), offset=rnd.randrange(a.k)) for _ in range(a.batch)]
        ids = torch.tensor([b[0] for b in batch])
        mask = torch.tensor([b[1] for b in batch])
        sel = (torch.rand(ids.shape) < 0.5) & (mask == 1)
        labels = ids[sel]
        inp = ids.masked_fill(sel, 0)
        positions = sel.reshape(-1).nonzero().squeeze(1)
        loss = nn.functional.cross_entropy(model(inp, mask, positions), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
        print(f"  pytorch step {step + 1}: {times[-1]:.2f} s, loss {float(loss):.3f}", file=sys.stderr)
        losses.append(float(loss))
    timed = times[1:]
    print(json.dumps({"engine": f"pytorch {torch.__version__} cpu", "threads": torch.get_num_threads(), "steps": a.steps,
                      "stepSeconds": timed, "sequencesPerSecond": a.batch * len(timed) / sum(timed), "losses": losses,
                      "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
