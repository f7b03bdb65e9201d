import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bioscan5mError } from '@bioscan5m/core';
import { initBackend } from '../backend.js';
import { pretrainMlm, makeMlmBatch } from './mlm.js';
import { loadCheckpoint } from './checkpoint.js';
import { encoderConfig } from './encoder.js';

// Real barcodes committed with the tokenizer golden file (no shared data needed).
const seqs = (
  JSON.parse(readFileSync(new URL('../tokenizer/golden-tokens.json', import.meta.url), 'utf8')) as {
    sequences: string[];
  }
).sequences.filter((s) => s.length > 300);
const tiny = { k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32 };
const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-mlm-'));

describe('MLM pretraining', () => {
  beforeAll(async () => {
    await initBackend();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('masks half of the attended tokens with [MASK] and reports them as loss positions', () => {
    const cfg = encoderConfig({ k: 4 });
    const b = makeMlmBatch(seqs, cfg, {
      batchSize: 8,
      seed: 1,
      step: 0,
      maskRatio: 0.5,
      loss: 'masked',
      randomOffset: true,
    });
    let attended = 0;
    for (const m of b.attentionMask) attended += m;
    expect(b.positions.length / attended).toBeGreaterThan(0.4);
    expect(b.positions.length / attended).toBeLessThan(0.6);
    for (const p of b.positions) {
      expect(b.ids[p]).toBe(0);
      expect(b.attentionMask[p]).toBe(1);
    }
    const all = makeMlmBatch(seqs, cfg, {
      batchSize: 8,
      seed: 1,
      step: 0,
      maskRatio: 0.5,
      loss: 'all',
      randomOffset: true,
    });
    expect(all.positions.length).toBe(all.ids.length);
  });

  it('loss falls, and a seeded run is reproducible', async () => {
    const a = await pretrainMlm({ sequences: seqs, config: tiny, steps: 16, batchSize: 8, maxLr: 1e-2, seed: 3 });
    const b = await pretrainMlm({ sequences: seqs, config: tiny, steps: 5, batchSize: 8, maxLr: 5e-3, seed: 3 });
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(a.losses.slice(-5))).toBeLessThan(mean(a.losses.slice(0, 5)) - 0.3);
    // A shorter schedule has other learning rates after step 1, but the first step (same init, same batch) matches.
    expect(b.losses[0]).toBe(a.losses[0]);
    // Same seed, same schedule length -> identical losses step for step.
    const c = await pretrainMlm({ sequences: seqs, config: tiny, steps: 16, batchSize: 8, maxLr: 1e-2, seed: 3 });
    expect(c.losses).toEqual(a.losses);
    expect(a.backend).toBe('wasm');
  });

  it('a run killed after k steps and resumed from its checkpoint ends in the same state as an uninterrupted run', async () => {
    const opts = { sequences: seqs, config: tiny, steps: 6, batchSize: 4, maxLr: 1e-3, seed: 11 };
    const full = await pretrainMlm({ ...opts, checkpoint: path.join(dir, 'full.safetensors') });
    const ck = path.join(dir, 'resume.safetensors');
    const first = await pretrainMlm({ ...opts, checkpoint: ck, checkpointEvery: 2, stopAfter: 4 });
    expect(first.step).toBe(4);
    expect(loadCheckpoint(ck).step).toBe(4);
    const second = await pretrainMlm({ ...opts, checkpoint: ck, resume: true });
    expect(second.startStep).toBe(4);
    expect([...first.losses, ...second.losses]).toEqual(full.losses);
    const a = loadCheckpoint(path.join(dir, 'full.safetensors'));
    const b = loadCheckpoint(ck);
    expect(b.step).toBe(6);
    for (const [name, v] of a.params)
      expect(Array.from(b.params.get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
    for (const [name, v] of a.optimizer)
      expect(Array.from(b.optimizer.get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
  });

  it('refuses to resume with different schedule settings', async () => {
    const ck = path.join(dir, 'resume.safetensors');
    await expect(
      pretrainMlm({ sequences: seqs, config: tiny, steps: 9, batchSize: 4, seed: 11, checkpoint: ck, resume: true }),
    ).rejects.toThrow(/same settings/);
  });

  it('a pretraining stopped by its progress callback frees its weights and optimizer state', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const stop = new Bioscan5mError('stopped', 'BIOSCAN5M_INTERRUPTED');
    const run = pretrainMlm({
      ...{ sequences: seqs, config: tiny, steps: 20, batchSize: 4, seed: 5 },
      onProgress: (done) => {
        if (done === 2) throw stop;
      },
    });
    await expect(run).rejects.toBe(stop);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
