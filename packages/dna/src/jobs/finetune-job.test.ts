import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { initBackend } from '../backend.js';
import { encoderConfig, encoderParamShapes, initParams } from '../model/encoder.js';
import { saveCheckpoint } from '../model/checkpoint.js';
import { runFinetuneJob, runProbeJob } from './index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-finetune-job-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 4 genera x 6 species x 10 barcodes: species 1.5% from their genus, barcodes 0.5% from their species. */
function writeSplit(): { train: string; test: string } {
  const rng = createRng(3);
  const rand = (n: number) => Array.from({ length: n }, () => 'ACGT'[rng.int(0, 3)]).join('');
  const mutate = (s: string, p: number) =>
    Array.from(s, (c) => (rng.random() < p ? 'ACGT'[rng.int(0, 3)] : c)).join('');
  const train = ['genus,species,dna_barcode'];
  const test = ['genus,species,dna_barcode'];
  for (let g = 0; g < 4; g++) {
    const gt = rand(200);
    for (let s = 0; s < 6; s++) {
      const st = mutate(gt, 0.015);
      for (let i = 0; i < 10; i++) (i < 6 ? train : test).push(`G${g},G${g} s${s},${mutate(st, 0.005)}`);
    }
  }
  const files = { train: path.join(dir, 'train.csv'), test: path.join(dir, 'test.csv') };
  writeFileSync(files.train, train.join('\n') + '\n');
  writeFileSync(files.test, test.join('\n') + '\n');
  return files;
}

describe('runFinetuneJob (LP-FT)', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('starts the head from the linear probe, so fine-tuning ends at or above the frozen linear probe; a fresh head does not', async () => {
    const { train, test } = writeSplit();
    const cfg = encoderConfig({ k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32, maxLen: 200 });
    const checkpoint = path.join(dir, 'encoder.safetensors');
    saveCheckpoint(checkpoint, { config: cfg, params: initParams(encoderParamShapes(cfg), 7) });
    const linear = await runProbeJob({
      encoder: { kind: 'checkpoint', checkpoint, engine: 'tfjs' },
      train,
      test,
      method: 'linear',
      rank: 'species',
    });
    const common = { checkpoint, train, test, epochs: 15, batchSize: 16, encoderLr: 3e-3, headLr: 3e-3 };
    const lpft = await runFinetuneJob({ ...common, out: path.join(dir, 'lpft.safetensors') });
    const fresh = await runFinetuneJob({ ...common, out: path.join(dir, 'fresh.safetensors'), linearInit: false });
    const acc = (s: { metrics: { accuracy: number } | null }) => s.metrics!.accuracy;
    expect(acc(linear)).toBeLessThan(0.95); // not solved by the frozen encoder
    expect(acc(lpft)).toBeGreaterThanOrEqual(acc(linear));
    expect(acc(lpft)).toBeGreaterThan(acc(fresh));
  });
});
