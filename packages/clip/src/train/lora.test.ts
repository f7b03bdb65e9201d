import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { createKmerTokenizer } from '@bioscan5m/dna';
import {
  encoderConfig,
  encoderParamShapes,
  initBackend,
  initParams,
  readSafetensors,
  saveCheckpoint,
} from '@bioscan5m/dna/model';
import { encoderPooled, loadCheckpoint } from './dna-model-tf.js';
import { loadClipCheckpoint } from './checkpoint.js';
import { withLora } from './lora.js';
import type { PairedFeatures } from './paired-data.js';
import { runClipLoraJob, trainClip } from './train-clip.js';

const dir = mkdtempSync(path.join(tmpdir(), 'clip-lora-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = path.join(dir, 'dna-base.safetensors');
const cfg = encoderConfig({ k: 4, layers: 2, heads: 2, hidden: 16, intermediate: 32, maxLen: 96 });

/** 12 species: each a random 96-nt barcode; records mutate 3 % of its bases. Image features: species centre + noise. */
function pairedDna(): PairedFeatures {
  const rng = createRng(5);
  const bases = 'ACGT';
  const centres = Array.from({ length: 12 }, () => Array.from({ length: 96 }, () => bases[rng.int(0, 3)]).join(''));
  const img = Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => rng.normal()));
  const rows = 96;
  const sequences: string[] = [];
  const data = new Float32Array(rows * 24);
  const species: string[] = [];
  for (let i = 0; i < rows; i++) {
    const s = i % 12;
    sequences.push(Array.from(centres[s], (c) => (rng.random() < 0.03 ? bases[rng.int(0, 3)] : c)).join(''));
    for (let j = 0; j < 24; j++) data[i * 24 + j] = img[s][j] + 0.5 * rng.normal();
    species.push(`sp${s}`);
  }
  return {
    rows,
    features: { image: { rows, dim: 24, data } },
    labels: { species },
    split: new Array(rows).fill('train'),
    sequences,
  };
}

beforeAll(async () => {
  await initBackend();
  saveCheckpoint(base, { config: cfg, params: initParams(encoderParamShapes(cfg), 11) });
});

describe('LoRA on the DNA encoder (attention Q and V)', () => {
  const data = pairedDna();
  const opts = {
    data,
    steps: 12,
    batchSize: 24,
    dim: 16,
    lr: 5e-3,
    seed: 2,
    dnaEncoder: { checkpoint: base, lora: { rank: 4 } },
  };

  it('trains adapters and heads, leaves the base weights alone, resumes exactly, and exports adapters and a merged encoder', async () => {
    const before = readFileSync(base);
    const ck = path.join(dir, 'clip.safetensors');
    const full = await trainClip({ ...opts, checkpoint: ck });
    expect(readFileSync(base).equals(before)).toBe(true);
    expect(full.lora!.rank).toBe(4);
    const bNorm = [...full.lora!.tensors]
      .filter(([n]) => n.endsWith('.B'))
      .reduce((s, [, t]) => s + t.data.reduce((a, v) => a + v * v, 0), 0);
    expect(bNorm).toBeGreaterThan(0); // B starts at zero: the adapters moved
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(full.losses.slice(-4))).toBeLessThan(mean(full.losses.slice(0, 4)));

    // Stopped at step 5 and resumed: the same losses and adapters as the uninterrupted run.
    const ck2 = path.join(dir, 'clip2.safetensors');
    await trainClip({ ...opts, checkpoint: ck2, checkpointEvery: 2, stopAfter: 5 });
    const resumed = await trainClip({ ...opts, checkpoint: ck2, resume: true });
    expect(resumed.startStep).toBe(5);
    expect(resumed.losses).toEqual(full.losses);
    for (const [n, t] of full.lora!.tensors)
      expect(Array.from(resumed.lora!.tensors.get(n)!.data), n).toEqual(Array.from(t.data));

    const adapters = path.join(dir, 'adapters.safetensors');
    const merged = path.join(dir, 'merged.safetensors');
    const s = await runClipLoraJob({ checkpoint: ck, dnaCheckpoint: base, adaptersOut: adapters, mergedOut: merged });
    expect(s).toMatchObject({ rank: 4, adapterTensors: cfg.layers * 4 });
    const a = readSafetensors(adapters);
    expect([...a.tensors.keys()].sort()).toEqual([
      'layer0.q.A',
      'layer0.q.B',
      'layer0.v.A',
      'layer0.v.B',
      'layer1.q.A',
      'layer1.q.B',
      'layer1.v.A',
      'layer1.v.B',
    ]);
    expect(a.metadata.format).toBe('bioscan5m-clip-lora/1');

    // The merged encoder computes what base + adapters compute.
    const tok = createKmerTokenizer({ k: cfg.k, maxLen: cfg.maxLen });
    const enc = tok.encodeBatch(data.sequences!.slice(0, 6));
    const input = { ids: enc.ids, attentionMask: enc.attentionMask, batch: enc.n };
    const b = loadCheckpoint(base);
    const m = loadCheckpoint(merged);
    const clipCk = await loadClipCheckpoint(ck);
    const lora = new Map([...clipCk.lora!.tensors].map(([n, t]) => [n, tf.tensor(t.data, t.shape)]));
    const viaLora = tf.tidy(() => encoderPooled(cfg, withLora(cfg, clipCk.lora!, b.params, lora), input)).dataSync();
    const viaMerged = tf.tidy(() => encoderPooled(cfg, m.params, input)).dataSync();
    const plain = tf.tidy(() => encoderPooled(cfg, b.params, input)).dataSync();
    let diff = 0;
    let moved = 0;
    for (let i = 0; i < viaLora.length; i++) {
      diff = Math.max(diff, Math.abs(viaLora[i] - viaMerged[i]));
      moved = Math.max(moved, Math.abs(viaLora[i] - plain[i]));
    }
    expect(diff).toBeLessThan(1e-5);
    expect(moved).toBeGreaterThan(1e-4);
    await expect(runClipLoraJob({ checkpoint: ck, dnaCheckpoint: base, adaptersOut: base })).rejects.toThrow(
      /is the same file as the input/,
    );
  });

  it('needs sequences, and a frozen encoder (lora: false) trains the heads only', async () => {
    await expect(trainClip({ ...opts, data: { ...data, sequences: undefined } })).rejects.toThrow(
      /needs the records' DNA sequences/,
    );
    const frozen = await trainClip({ ...opts, steps: 3, dnaEncoder: { checkpoint: base, lora: false } });
    expect(frozen.lora).toBeUndefined();
  });
});
