/**
 * MLM training throughput, ours against PyTorch CPU on the same model, data and step in the same run, for the
 * three configs of issue 10: k=6 2 layers 4 heads hidden 256 (the earlier benchmark), and the paper's 4-4-4 and
 * 8-4-4 (k=4 / k=8, 4 layers, 4 heads, hidden 768); batch 64. Each side runs in its own process per config, so
 * its peak RSS is that config's. Ours uses the default training engine (onnxruntime-node on every core;
 * `--engine tfjs` for the tfjs path); PyTorch runs with torch.set_num_threads(cores).
 *
 *   npm run bench:model -w @bioscan5m/dna [-- --configs 6-2-4-256,4-4-4-768 --steps 5,2 --engine tfjs]
 * Steps per config default to 5, 2, 2 (the first of each is warm-up): a 768-wide step takes minutes on a loaded
 * 2-core machine.
 *   (run under: flock /tmp/bioscan-bench.lock nice -n 5 ...)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBarcodes, type TrainingEngine } from '../src/index.js';
import { runPretrainLoop } from '../src/model/pretrain-loop.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const shared = path.resolve(repoRoot, '../shared/data/dna/coi_barcodes.csv');
const dataFile = existsSync(shared) ? shared : path.join(repoRoot, 'apps/cli/data/barcodes.csv');
const threads = Number(opt('threads') ?? os.availableParallelism());
const batch = Number(opt('batch') ?? 64);

interface Side {
  engine: string;
  sequencesPerSecond: number;
  stepSeconds: number[];
  maxRssMiB: number;
  losses: number[];
}

/** One config of ours, in this (child) process: prints one JSON line. */
async function child(spec: string, steps: number, engine: TrainingEngine): Promise<void> {
  const [k, layers, heads, hidden] = spec.split('-').map(Number);
  const stepSeconds: number[] = [];
  const losses: number[] = [];
  const set = await readBarcodes(dataFile);
  const options = {
    sequences: set.sequences,
    config: { k, layers, heads, hidden },
    steps,
    batchSize: batch,
    onStep: (st: { step: number; loss: number; ms: number }) => {
      if (st.step > 1) stepSeconds.push(st.ms / 1000);
      losses.push(st.loss);
      console.error(`  ours ${spec} step ${st.step}: ${(st.ms / 1000).toFixed(2)} s, loss ${st.loss.toFixed(3)}`);
    },
  };
  let r;
  if (engine === 'onnx') {
    const { createOrtMlmEngine } = await import('../src/train/ort-engine.js');
    r = await runPretrainLoop(options, (start) => createOrtMlmEngine(start, { threads }));
  } else {
    const { initBackend } = await import('../src/backend.js');
    const { createTfjsMlmEngine } = await import('../src/model/mlm.js');
    await initBackend();
    r = await runPretrainLoop(options, createTfjsMlmEngine);
  }
  const out: Side = {
    engine: r.backend,
    sequencesPerSecond: r.sequencesPerSecond ?? NaN,
    stepSeconds,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    losses,
  };
  console.log(JSON.stringify(out));
}

if (argv[0] === '--child') {
  await child(argv[1], Number(argv[2]), argv[3] as TrainingEngine);
  process.exit(0);
}

const configs = (opt('configs') ?? '6-2-4-256,4-4-4-768,8-4-4-768').split(',');
const stepsList = (opt('steps') ?? '5,2,2').split(',').map(Number);
const engine = (opt('engine') ?? 'onnx') as TrainingEngine;
const set = await readBarcodes(dataFile);
const tmp = path.join(os.tmpdir(), 'bioscan-bench');
mkdirSync(tmp, { recursive: true });
const seqFile = path.join(tmp, 'mlm-seqs.txt');
writeFileSync(seqFile, set.sequences.join('\n') + '\n');
console.log(
  `data: ${set.sequences.length} barcodes from ${path.relative(repoRoot, dataFile)}; batch ${batch}; ${threads} threads each side; first step of each run is warm-up (not timed)`,
);

const lastJson = (text: string) => JSON.parse(text.trim().split('\n').at(-1)!) as Side;
const rows: string[] = [];
for (let i = 0; i < configs.length; i++) {
  const spec = configs[i];
  const steps = stepsList[i] ?? stepsList.at(-1)!;
  const [k, layers, heads, hidden] = spec.split('-').map(Number);
  const ours = lastJson(
    execFileSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', spec, String(steps), engine],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
    ),
  );
  const ref = lastJson(
    execFileSync(
      '/usr/bin/python3',
      [
        path.join(here, 'mlm_throughput_torch.py'),
        seqFile,
        ...['--k', k, '--layers', layers, '--heads', heads, '--hidden', hidden, '--batch', batch, '--steps', steps],
        ...['--threads', threads].map(String),
      ].map(String),
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  );
  const name = `k=${k} ${layers}-${heads}-${hidden}`;
  console.log(
    `${name}: ours (${ours.engine}) ${ours.sequencesPerSecond.toFixed(2)} seq/s, peak RSS ${(ours.maxRssMiB / 1024).toFixed(2)} GiB; ` +
      `PyTorch (${ref.engine}) ${ref.sequencesPerSecond.toFixed(2)} seq/s, peak RSS ${(ref.maxRssMiB / 1024).toFixed(2)} GiB; ` +
      `ratio ${(ours.sequencesPerSecond / ref.sequencesPerSecond).toFixed(2)}x (${steps - 1} timed steps)`,
  );
  rows.push(
    `| ${name} | ${steps - 1} | ${ours.sequencesPerSecond.toFixed(2)} | ${(ours.maxRssMiB / 1024).toFixed(2)} | ${ref.sequencesPerSecond.toFixed(2)} | ${(ref.maxRssMiB / 1024).toFixed(2)} | **${(ours.sequencesPerSecond / ref.sequencesPerSecond).toFixed(2)}x** |`,
  );
}
console.log(
  '\n| config (batch 64) | timed steps | ours (seq/s) | ours peak RSS (GiB) | PyTorch CPU (seq/s) | PyTorch peak RSS (GiB) | ratio |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
