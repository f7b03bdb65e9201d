import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { initBackend } from '../backend.js';
import { disposeParams, encoderConfig, encoderParamShapes, initParams } from '../model/encoder.js';
import { embedSequences } from './embed.js';
import { fineTune, predictWithHead, trainLinearProbe } from './classifier.js';
import { warmupCosineLr } from './lr-schedule.js';
import { accuracy } from '../eval/metrics.js';

/** A small fixed set: 4 genera x 6 species, species 1.5% from their genus, barcodes 0.5% from their species. */
function closeSpecies(seed: number, perSpecies: number) {
  const rng = createRng(seed);
  const rand = (n: number) => Array.from({ length: n }, () => 'ACGT'[rng.int(0, 3)]).join('');
  const mutate = (s: string, p: number) =>
    Array.from(s, (c) => (rng.random() < p ? 'ACGT'[rng.int(0, 3)] : c)).join('');
  const rows: { seq: string; species: string }[] = [];
  for (let g = 0; g < 4; g++) {
    const gt = rand(200);
    for (let s = 0; s < 6; s++) {
      const st = mutate(gt, 0.015);
      for (let i = 0; i < perSpecies; i++) rows.push({ seq: mutate(st, 0.005), species: `G${g} s${s}` });
    }
  }
  return rows;
}

describe('fine-tuning recipe', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('warm-up rises linearly to the peak, then the cosine decays to 1% of it', () => {
    const o = { peak: 1e-3, totalSteps: 100, warmupSteps: 10 };
    expect(warmupCosineLr(0, o)).toBeCloseTo(1e-4, 12);
    expect(warmupCosineLr(9, o)).toBeCloseTo(1e-3, 12);
    expect(warmupCosineLr(10, o)).toBeCloseTo(1e-3, 12);
    expect(warmupCosineLr(99, o)).toBeCloseTo(1e-5, 12);
    const mid = warmupCosineLr(54, o);
    expect(mid).toBeGreaterThan(4e-4);
    expect(mid).toBeLessThan(6e-4);
  });

  it('fine-tuning (head started from the linear probe) beats the linear probe on the frozen encoder', async () => {
    const all = closeSpecies(3, 10);
    const train = all.filter((_, i) => i % 10 < 6);
    const test = all.filter((_, i) => i % 10 >= 6);
    const cfg = encoderConfig({ k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32, maxLen: 200 });
    const params = initParams(encoderParamShapes(cfg), 7);
    const seqs = (rows: typeof all) => rows.map((r) => r.seq);
    const labels = (rows: typeof all) => rows.map((r) => r.species);
    const probe = await trainLinearProbe(embedSequences(cfg, params, seqs(train)), cfg.hidden, labels(train), {
      epochs: 100,
      batchSize: 32,
    });
    const frozen = accuracy(labels(test), predictWithHead(probe, embedSequences(cfg, params, seqs(test)), cfg.hidden));
    const head = await fineTune(cfg, params, seqs(train), labels(train), {
      initHead: probe,
      epochs: 15,
      batchSize: 16,
      encoderLr: 3e-3,
      headLr: 3e-3,
    });
    const tuned = accuracy(labels(test), predictWithHead(head, embedSequences(cfg, params, seqs(test)), cfg.hidden));
    expect(frozen).toBeLessThan(0.95); // the task is not solved by the frozen encoder
    expect(tuned).toBeGreaterThan(frozen);
  });

  /**
   * Trains with `train`, aborting from a macrotask queued at step 3 (not inside the step: the training must yield
   * to the event loop for it, as for a signal handler, to run; setImmediate rather than a timer, whose 1 ms can
   * outlast several linear-probe steps). Returns the steps reported.
   */
  async function abortedAtStep3(train: (signal: AbortSignal, onProgress: (d: number) => void) => Promise<unknown>) {
    const ac = new AbortController();
    const done: number[] = [];
    const run = train(ac.signal, (d) => {
      done.push(d);
      if (d === 3) setImmediate(() => ac.abort());
    });
    await expect(run).rejects.toMatchObject({ code: 'BIOSCAN5M_INTERRUPTED' });
    return done;
  }

  it('fine-tuning and the linear probe stop a step after their signal is aborted, and free what they made', async () => {
    const rows = closeSpecies(5, 4);
    const cfg = encoderConfig({ k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32, maxLen: 200 });
    const params = initParams(encoderParamShapes(cfg), 9);
    const x = embedSequences(
      cfg,
      params,
      rows.map((r) => r.seq),
    );
    const species = rows.map((r) => r.species);
    const tensorsBefore = tf.memory().numTensors;
    const initHead = await trainLinearProbe(x, cfg.hidden, species, { epochs: 2, batchSize: 16 });
    const withHead = tf.memory().numTensors;

    // 96 barcodes, batch 8, 20 epochs: 240 steps; the abort runs in the turn after step 3.
    const ft = await abortedAtStep3((signal, onProgress) =>
      fineTune(
        cfg,
        params,
        rows.map((r) => r.seq),
        species,
        { initHead, epochs: 20, batchSize: 8, signal, onProgress },
      ),
    );
    expect(ft.at(-1)).toBeGreaterThanOrEqual(3);
    expect(ft.at(-1)).toBeLessThanOrEqual(5);
    expect(tf.memory().numTensors).toBe(withHead); // the new head and both optimizers' moments are freed

    const lp = await abortedAtStep3((signal, onProgress) =>
      trainLinearProbe(x, cfg.hidden, species, { epochs: 100, batchSize: 8, signal, onProgress }),
    );
    expect(lp.at(-1)).toBeGreaterThanOrEqual(3);
    expect(lp.at(-1)).toBeLessThanOrEqual(5);
    disposeParams(initHead.params);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    // Already aborted: nothing is trained or allocated.
    await expect(fineTune(cfg, params, ['ACGTACGT'], ['a'], { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'BIOSCAN5M_INTERRUPTED',
    });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    disposeParams(params);
  });
});
