import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { initBackend } from '../backend.js';
import { encoderConfig, encoderParamShapes, initParams } from '../model/encoder.js';
import { embedSequences } from './embed.js';
import { cosineNearest, knnPredict } from './knn.js';
import { fineTune, predictWithHead, trainLinearProbe } from './classifier.js';
import { predictCnn, trainCnn, oneHotDna } from './cnn.js';
import { accuracy } from '../eval/metrics.js';

/** Generated barcodes: genus templates, species diverging 12% from their genus, samples 2% from their species. */
function synthetic(seed: number, perSpecies: number) {
  const rng = createRng(seed);
  const rand = (n: number) => Array.from({ length: n }, () => 'ACGT'[rng.int(0, 3)]).join('');
  const mutate = (s: string, p: number) =>
    Array.from(s, (c) => (rng.random() < p ? 'ACGT'[rng.int(0, 3)] : c)).join('');
  const rows: { seq: string; species: string; genus: string }[] = [];
  for (let g = 0; g < 3; g++) {
    const gt = rand(240);
    for (let s = 0; s < 2; s++) {
      const st = mutate(gt, 0.12);
      for (let i = 0; i < perSpecies; i++) rows.push({ seq: mutate(st, 0.02), species: `G${g} s${s}`, genus: `G${g}` });
    }
  }
  return rows;
}

describe('task heads on generated barcodes', () => {
  beforeAll(async () => {
    await initBackend();
  });
  const all = synthetic(1, 16);
  const train = all.filter((_, i) => i % 16 < 8);
  const test = all.filter((_, i) => i % 16 >= 8);

  it('cosine 1-NN finds the most similar row', () => {
    const keys = Float32Array.from([1, 0, 0, 1, 0.7, 0.7]);
    const { index, similarity } = cosineNearest(keys, Float32Array.from([0.1, 2, 3, 2.9]), 2);
    expect(Array.from(index)).toEqual([1, 2]);
    expect(similarity[1]).toBeCloseTo(Math.cos(Math.PI / 4 - Math.atan2(2.9, 3)), 5);
  });

  it('fine-tuning, linear probe and 1-NN genus probe beat chance', async () => {
    const cfg = encoderConfig({ k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32, maxLen: 240 });
    const params = initParams(encoderParamShapes(cfg), 5);
    const before = params.get('layer0.qkv.w')!.dataSync().slice();
    // Linear probe and 1-NN on the frozen (random) encoder: pooled k-mer embeddings already separate species.
    const xTrain = embedSequences(
      cfg,
      params,
      train.map((r) => r.seq),
    );
    const xTest = embedSequences(
      cfg,
      params,
      test.map((r) => r.seq),
    );
    const probe = await trainLinearProbe(
      xTrain,
      cfg.hidden,
      train.map((r) => r.species),
      { epochs: 150, maxLr: 5e-2, batchSize: 16 },
    );
    expect(
      accuracy(
        test.map((r) => r.species),
        predictWithHead(probe, xTest, cfg.hidden),
      ),
    ).toBeGreaterThan(0.5);
    // Genus of unseen species: keys are species s0 of every genus, queries species s1.
    const keys = train.filter((r) => r.species.endsWith('s0'));
    const queries = test.filter((r) => r.species.endsWith('s1'));
    const pred = knnPredict(
      embedSequences(
        cfg,
        params,
        keys.map((r) => r.seq),
      ),
      keys.map((r) => r.genus),
      embedSequences(
        cfg,
        params,
        queries.map((r) => r.seq),
      ),
      cfg.hidden,
    );
    expect(
      accuracy(
        queries.map((r) => r.genus),
        pred,
      ),
    ).toBeGreaterThan(0.6);
    // Fine-tuning updates the encoder and learns the species.
    const head = await fineTune(
      cfg,
      params,
      train.map((r) => r.seq),
      train.map((r) => r.species),
      { epochs: 12, batchSize: 8, encoderLr: 1e-2, headLr: 1e-2 },
    );
    expect(Array.from(params.get('layer0.qkv.w')!.dataSync())).not.toEqual(Array.from(before));
    const ft = predictWithHead(
      head,
      embedSequences(
        cfg,
        params,
        test.map((r) => r.seq),
      ),
      cfg.hidden,
    );
    expect(
      accuracy(
        test.map((r) => r.species),
        ft,
      ),
    ).toBeGreaterThan(0.5);
  });

  it('CNN baseline (im2col convolutions) learns species from one-hot DNA', async () => {
    const x = oneHotDna(['ACGTN-'], 8);
    expect(Array.from(x.subarray(0, 10))).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(x.subarray(20, 40))).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const model = await trainCnn(
      train.map((r) => r.seq),
      train.map((r) => r.species),
      { length: 240, channels: [16, 16], dense: 32, epochs: 20, batchSize: 8, maxLr: 5e-3 },
    );
    expect(
      accuracy(
        test.map((r) => r.species),
        predictCnn(
          model,
          test.map((r) => r.seq),
        ),
      ),
    ).toBeGreaterThan(0.7);
  });

  it('CNN training stops a step after its signal is aborted (from the event loop, as a signal handler does) and frees its weights', async () => {
    const ac = new AbortController();
    const done: number[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const training = trainCnn(
      train.map((r) => r.seq),
      train.map((r) => r.species),
      {
        ...{ length: 240, channels: [8], dense: 16, epochs: 50, batchSize: 8 },
        signal: ac.signal,
        onProgress: (d, total) => {
          done.push(d);
          expect(total).toBe(300);
          // A timer, not an abort inside the step: the training must yield to the event loop for it to run.
          if (d === 3) setTimeout(() => ac.abort(), 0);
        },
      },
    );
    await expect(training).rejects.toMatchObject({ code: 'BIOSCAN5M_INTERRUPTED' });
    expect(done.at(-1)).toBeGreaterThanOrEqual(3);
    expect(done.at(-1)).toBeLessThanOrEqual(5);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
