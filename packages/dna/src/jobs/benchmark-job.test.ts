import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { runDnaBenchmarkJob } from './benchmark-job.js';
import type { DnaBenchmarkJobOptions } from './types.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tinyBert = fileURLToPath(new URL('../onnx/fixtures/tiny-bert-k4.onnx', import.meta.url));

// Real-looking names: the paper's rule takes names with digits for placeholders (never 'seen').
const GENERA = ['Alpha', 'Beta', 'Gamma', 'Delta'];
const EPITHETS = ['alba', 'nigra', 'rufa'];

/** 4 genera x 3 species x 10 barcodes (species 5% apart) and 24 barcodes without a species (the pretrain split). */
function writeData(file: string): void {
  const rng = createRng(5);
  const rand = (n: number) => Array.from({ length: n }, () => 'ACGT'[rng.int(0, 3)]).join('');
  const mutate = (s: string, p: number) =>
    Array.from(s, (c) => (rng.random() < p ? 'ACGT'[rng.int(0, 3)] : c)).join('');
  const rows: string[] = [];
  for (let g = 0; g < 4; g++) {
    const gt = rand(400);
    for (let s = 0; s < 3; s++) {
      const st = mutate(gt, 0.05);
      for (let i = 0; i < 10; i++) rows.push(`${GENERA[g]},${GENERA[g]} ${EPITHETS[s]},${mutate(st, 0.01)}`);
    }
    for (let i = 0; i < 6; i++) rows.push(`${GENERA[g]},,${mutate(gt, 0.05)}`);
  }
  writeFileSync(file, 'record_id,genus,species,dna_barcode\n' + rows.map((r, i) => `r${i},${r}`).join('\n') + '\n');
}

describe('runDnaBenchmarkJob', () => {
  const data = path.join(dir, 'barcodes.csv');
  writeData(data);
  const base = {
    data,
    config: { k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32 },
    pretrainSteps: 4,
    batchSize: 8,
    curvePoints: 2,
    finetuneEpochs: 1,
    linearEpochs: 20,
    skip: ['cnn'],
  } satisfies Partial<DnaBenchmarkJobOptions>;

  it('writes Table 4 (markdown + JSON) with every row, and a second run resumes every part', async () => {
    const outDir = path.join(dir, 'run');
    const logs: string[] = [];
    let last = [0, 0];
    const s = await runDnaBenchmarkJob({
      ...base,
      outDir,
      onLog: (l) => logs.push(l),
      onProgress: (d, t) => (last = [d, t]),
    });
    expect(s.protocol.pretrain).toBe(24);
    expect(s.protocol.test).toBeGreaterThan(0);
    expect(s.protocol.train + s.protocol.test).toBeLessThanOrEqual(120); // the rest is val
    expect(s.protocol.queries).toBeGreaterThan(0);
    expect(s.rows.map((r) => r.kind)).toEqual(['ours', 'baseline', 'reference']);
    const [ours, kmer, identify] = s.rows;
    for (const x of [ours.finetuned, ours.linearProbe, ours.knnGenus, kmer.linearProbe, kmer.knnGenus])
      expect(x).toBeGreaterThanOrEqual(0);
    expect(identify.finetuned).toBeGreaterThan(0.9); // 1% from their species, 5% from the others
    expect(Object.keys(ours.seconds)).toEqual(['pretrain', 'finetune', 'linearProbe']);
    expect(s.pretrain.curve.map((c) => c.step)).toEqual([2, 4]);
    expect(last[0]).toBe(last[1]);
    const md = readFileSync(s.markdown, 'utf8');
    expect(md).toContain(
      '| model | fine-tuned (species, seen) | linear probe (species, seen) | 1-NN probe (genus, unseen)',
    );
    expect(JSON.parse(readFileSync(s.json, 'utf8')).rows).toEqual(JSON.parse(JSON.stringify(s.rows)));
    expect(readdirSync(outDir).filter((f) => f.includes('.tmp'))).toEqual([]);

    // Killed after the fact: everything is in state.json, so nothing runs again and the table is the same.
    const again = await runDnaBenchmarkJob({ ...base, outDir });
    expect(again.resumed).toEqual(['kmer', 'identify', 'pretrain-1', 'pretrain-2', 'closed']);
    expect(again.rows).toEqual(s.rows);
    // Other settings in the same folder: refused unless --fresh.
    await expect(runDnaBenchmarkJob({ ...base, outDir, pretrainSteps: 6 })).rejects.toThrow(/--fresh/);
  }, 120_000);

  it('stops in the CNN baseline once its signal is aborted, leaves no temp file, and the rerun resumes the parts done', async () => {
    const outDir = path.join(dir, 'abort');
    const settings = { ...base, skip: [], cnnEpochs: 2, outDir };
    const ac = new AbortController();
    const stopped = runDnaBenchmarkJob({
      ...settings,
      signal: ac.signal,
      // The CNN part starts right after this line: the timer fires between its first training steps.
      onLog: (l) => l.startsWith('identify') && setTimeout(() => ac.abort(), 0),
    });
    await expect(stopped).rejects.toMatchObject({ code: 'BIOSCAN5M_INTERRUPTED' });
    const state = JSON.parse(readFileSync(path.join(outDir, 'state.json'), 'utf8')) as { parts: object };
    expect(Object.keys(state.parts)).toEqual(['kmer', 'identify']);
    expect(readdirSync(outDir).filter((f) => f.includes('.tmp'))).toEqual([]);

    const again = await runDnaBenchmarkJob(settings);
    expect(again.resumed).toEqual(['kmer', 'identify']);
    expect(again.rows.map((r) => r.method)).toContain('CNN baseline (2 epochs)');
  }, 120_000);

  it('probes a given ONNX encoder (no pretraining, no fine-tuning)', async () => {
    const s = await runDnaBenchmarkJob({ ...base, outDir: path.join(dir, 'onnx'), onnx: { model: tinyBert, k: 4 } });
    expect(s.config).toBeNull();
    expect(s.rows[0]).toMatchObject({
      kind: 'ours',
      finetuned: null,
      method: 'tiny-bert-k4.onnx (ONNX, 32-d, frozen)',
    });
    expect(s.rows[0].knnGenus).toBeGreaterThanOrEqual(0);
    expect(s.pretrain.curve).toEqual([]);
  }, 60_000);
});
