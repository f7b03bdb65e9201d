/**
 * MLM training throughput, ours (tfjs, best backend here: wasm) against PyTorch CPU on the same model and
 * data in the same run: k=6, 2 layers, 4 heads, hidden 256, batch 64 (override with --k/--layers/--heads/
 * --hidden/--batch/--steps). Prints sequences/s for both and the ratio.
 *
 *   npm run bench -w @bioscan5m/dna            (run under: flock /tmp/bioscan-bench.lock nice -n 5 ...)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBarcodes } from '../src/index.js';
import { initBackend, pretrainMlm } from '../src/model/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const cfg = { k: arg('k', 6), layers: arg('layers', 2), heads: arg('heads', 4), hidden: arg('hidden', 256) };
const batch = arg('batch', 64);
const steps = arg('steps', 4);
const torchThreads = arg('torch-threads', 0);

const shared = path.resolve(repoRoot, '../shared/data/dna/coi_barcodes.csv');
const dataFile = existsSync(shared) ? shared : path.join(repoRoot, 'apps/cli/data/barcodes.csv');
const set = await readBarcodes(dataFile);
const backend = await initBackend();
console.log(
  `data: ${set.sequences.length} barcodes from ${path.relative(repoRoot, dataFile)}; model k=${cfg.k}, ${cfg.layers} layers, ${cfg.heads} heads, hidden ${cfg.hidden}; batch ${batch}; ${steps} steps (first is warm-up)`,
);

const ours = await pretrainMlm({
  sequences: set.sequences,
  config: cfg,
  steps,
  batchSize: batch,
  onStep: (s) => console.log(`  ours step ${s.step}: ${(s.ms / 1000).toFixed(2)} s, loss ${s.loss.toFixed(3)}`),
});
console.log(`ours (tfjs ${backend}, 1 thread): ${ours.sequencesPerSecond!.toFixed(2)} sequences/s`);

const tmp = path.join(os.tmpdir(), 'bioscan-bench');
mkdirSync(tmp, { recursive: true });
const seqFile = path.join(tmp, 'mlm-seqs.txt');
writeFileSync(seqFile, set.sequences.join('\n') + '\n');
const py = execFileSync(
  '/usr/bin/python3',
  [
    path.join(here, 'mlm_throughput_torch.py'),
    seqFile,
    '--k',
    String(cfg.k),
    '--layers',
    String(cfg.layers),
    '--heads',
    String(cfg.heads),
    '--hidden',
    String(cfg.hidden),
    '--batch',
    String(batch),
    '--steps',
    String(steps),
    '--threads',
    String(torchThreads),
  ],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
const ref = JSON.parse(py.trim().split('\n').at(-1)!) as {
  engine: string;
  threads: number;
  sequencesPerSecond: number;
  stepSeconds: number[];
};
console.log(
  `reference (${ref.engine}, ${ref.threads} threads): ${ref.sequencesPerSecond.toFixed(2)} sequences/s (steps ${ref.stepSeconds.map((s) => s.toFixed(2)).join(', ')} s)`,
);
console.log(`ratio ours / PyTorch: ${(ours.sequencesPerSecond! / ref.sequencesPerSecond).toFixed(2)}x (goal >= 0.5x)`);
