/**
 * Training throughput of one alignment step (pairs/s): ours (tfjs, wasm backend) beside the same step in PyTorch CPU
 * (Debian python3-torch, bench/train_torch.py) in the same run. CLIBD sizes by default: image 768 and DNA 768
 * features, text 512, aligned dim 768, three pairs, batch 64.
 *
 *   apt-get install -y python3-torch
 *   npx tsx packages/clip/bench/train-bench.ts           # BATCH=64 STEPS=20 DIM=768
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRng, type Modality } from '@bioscan5m/core';
import { trainClip, type PairedFeatures } from '../src/index.js';

const env = (n: string, d: number) => Number(process.env[n] ?? d);
const batch = env('BATCH', 64);
const steps = env('STEPS', 20);
const dim = env('DIM', 768);
const dims: Record<Modality, number> = { image: 768, dna: 768, text: 512 };
const rows = batch * 8;
const rng = createRng(0);
const data: PairedFeatures = {
  rows,
  features: Object.fromEntries(
    Object.entries(dims).map(([m, d]) => [
      m,
      { rows, dim: d, data: Float32Array.from({ length: rows * d }, () => rng.normal()) },
    ]),
  ),
  labels: { species: Array.from({ length: rows }, (_, i) => `s${i}`) },
  split: new Array(rows).fill('train'),
};
await trainClip({ data, steps: 3, batchSize: batch, dim }); // warm-up: backend, kernels
const ours = await trainClip({ data, steps, batchSize: batch, dim });
const ref = JSON.parse(
  execFileSync(
    '/usr/bin/python3',
    [path.join(import.meta.dirname, 'train_torch.py'), String(batch), String(steps), String(dim), JSON.stringify(dims)],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .pop()!,
);
console.log(
  `alignment step: batch ${batch}, heads image 768 / DNA 768 / text 512 -> ${dim}, 3 pairs, AdamW, ${steps} steps`,
);
console.log(`  ours (tfjs-${ours.backend}): ${ours.pairsPerSecond.toFixed(0)} pairs/s`);
console.log(`  ${ref.tool} (${ref.threads} threads): ${ref.pairs_per_s.toFixed(0)} pairs/s`);
console.log(`  ratio ours / PyTorch: ${(ours.pairsPerSecond / ref.pairs_per_s).toFixed(2)}x`);
