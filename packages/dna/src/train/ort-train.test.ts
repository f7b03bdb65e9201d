import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { loadOrt } from '../engines.js';
import { runPretrainJob } from '../jobs/index.js';
import { encoderConfig } from '../model/config.js';
import { makeMlmBatch } from '../model/mlm-batch.js';
import { arraysToVariables } from '../model/encoder.js';
import { readCheckpointFile } from '../model/checkpoint-file.js';
import type { PretrainOptions } from '../model/config.js';
import { createTfjsMlmEngine, mlmLoss, pretrainMlm } from '../model/mlm.js';
import { encoderParamShapes, initArrays, mlmHeadShapes } from '../model/params.js';
import { runPretrainLoop, type TrainStart } from '../model/pretrain-loop.js';
import { batchFeeds, createOrtMlmEngine, sessionOptions } from './ort-engine.js';
import { mlmStepGraph } from './mlm-step-graph.js';

// Real barcodes committed with the tokenizer golden file (no shared data needed).
const seqs = (
  JSON.parse(readFileSync(new URL('../tokenizer/golden-tokens.json', import.meta.url), 'utf8')) as {
    sequences: string[];
  }
).sequences.filter((s) => s.length > 300);
const cfg = encoderConfig({ k: 4, layers: 2, heads: 2, hidden: 16, intermediate: 32 });
const batchOpts = { batchSize: 6, seed: 2, step: 0, maskRatio: 0.5, loss: 'masked', randomOffset: true } as const;

/** max |a - b| relative to max |b| (with a floor, for all-zero gradients). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/**
 * max |a - b| over the weights of parameter `name`, leaving out the attention key biases: their true gradient is
 * zero (softmax ignores a shift of every score), so Adam's m/sqrt(v) turns float rounding noise into ±lr steps.
 */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, name = '', hidden = 0): number {
  let d = 0;
  const keyBias = name.endsWith('qkv.b');
  for (let i = 0; i < b.length; i++)
    if (!(keyBias && i >= hidden && i < 2 * hidden)) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function start(): TrainStart {
  return {
    config: cfg,
    encoder: initArrays(encoderParamShapes(cfg), 11),
    head: initArrays(mlmHeadShapes(cfg), 12),
    optimizer: new Map(),
    step: 0,
    weightDecay: 0.01,
  };
}

describe('onnxruntime training step equals the tfjs step', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('forward loss and every gradient', async () => {
    const ort = await loadOrt();
    const s = start();
    const batch = makeMlmBatch(seqs, cfg, batchOpts);
    const shapes = [...encoderParamShapes(cfg), ...mlmHeadShapes(cfg)];
    const params = arraysToVariables(s.encoder, 'e.');
    const head = arraysToVariables(s.head, 'h.');
    const { value, grads } = tf.variableGrads(() => mlmLoss(cfg, params, head, batch));
    const byVar = new Map([...params, ...head].map(([n, v]) => [v.name, n]));
    const tfGrads = new Map(Object.entries(grads).map(([k, g]) => [byVar.get(k)!, g.dataSync() as Float32Array]));
    const tfLoss = value.dataSync()[0];

    const session = await ort.InferenceSession.create(await mlmStepGraph(cfg, { params: shapes }), sessionOptions(2));
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { ...batchFeeds(ort, cfg, batch) };
    for (const [name, shape] of shapes)
      feeds[name] = new ort.Tensor('float32', (s.encoder.get(name) ?? s.head.get(name))!.data as Float32Array, shape);
    const out = await session.run(feeds);
    expect(Math.abs((out.loss.data as Float32Array)[0] - tfLoss)).toBeLessThan(1e-5 * tfLoss);
    expect(tfLoss).toBeGreaterThan(Math.log(cfg.vocabSize) - 1);
    for (const [name] of shapes) {
      // The graph returns the gradient of the summed loss; the mean's is 1/M of it.
      const g = (out[`grad:${name}`].data as Float32Array).map((x) => x / batch.positions.length);
      expect(
        g.some((x) => x !== 0),
        name,
      ).toBe(true);
      expect(relErr(g, tfGrads.get(name)!), name).toBeLessThan(2e-4);
    }
    await session.release();
  });

  it('two AdamW steps give the same weights and moments', async () => {
    const a = await createTfjsMlmEngine(start());
    const b = await createOrtMlmEngine(start(), { threads: 2 });
    const lr = 1e-3;
    for (let step = 0; step < 2; step++) {
      const batch = makeMlmBatch(seqs, cfg, { ...batchOpts, step });
      const la = await a.step(batch, lr);
      const lb = await b.step(batch, lr);
      expect(Math.abs(la - lb)).toBeLessThan(1e-4 * la);
    }
    const wa = a.arrays();
    const wb = b.arrays();
    for (const group of ['encoder', 'head', 'optimizer'] as const) {
      expect([...wb[group].keys()].sort()).toEqual([...wa[group].keys()].sort());
      for (const [name, t] of wa[group]) {
        const other = wb[group].get(name)!.data;
        if (group === 'optimizer') expect(relErr(other, t.data), name).toBeLessThan(2e-3);
        // Adam's step is m/sqrt(v), about lr per element whatever the gradient's size, so a tiny gradient's
        // rounding shows in the step: weights agree within 1% of the two steps' size.
        else expect(maxAbsDiff(other, t.data, name, cfg.hidden), `${group} ${name}`).toBeLessThan(0.01 * 2 * lr);
      }
    }
    a.dispose();
    await b.dispose();
  });
});

describe('checkpoints are interchangeable between the engines', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-ort-ck-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const opts = {
    sequences: seqs,
    config: { k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32 },
    steps: 8,
    batchSize: 4,
    maxLr: 1e-3,
    seed: 9,
    checkpointEvery: 100,
  };
  const tfjs = (o: PretrainOptions) => pretrainMlm(o);
  const onnx = (o: PretrainOptions) => runPretrainLoop(o, (s) => createOrtMlmEngine(s, { threads: 2 }));

  it.each([
    ['tfjs', 'onnxruntime', tfjs, onnx],
    ['onnxruntime', 'tfjs', onnx, tfjs],
  ] as const)('%s for 4 steps, resumed on %s, ends where an uninterrupted run does', async (first, second, a, b) => {
    const ck = path.join(dir, `${first}-${second}.safetensors`);
    await a({ ...opts, checkpoint: ck, stopAfter: 4 });
    const resumed = await b({ ...opts, checkpoint: ck, resume: true });
    expect(resumed.startStep).toBe(4);
    const ref = path.join(dir, `${first}-ref.safetensors`);
    const whole = await a({ ...opts, checkpoint: ref });
    for (let i = 0; i < 4; i++) expect(Math.abs(resumed.losses[i] - whole.losses[4 + i])).toBeLessThan(1e-4);
    const x = readCheckpointFile(ck);
    const y = readCheckpointFile(ref);
    expect(x.step).toBe(8);
    expect(x.config).toEqual(y.config);
    for (const group of ['encoder', 'head'] as const)
      for (const [name, t] of y[group])
        // Within 1% of the size of 8 Adam steps at the peak learning rate (see the AdamW test above).
        expect(maxAbsDiff(x[group].get(name)!.data, t.data, name, x.config.hidden), name).toBeLessThan(0.01 * 8 * 1e-3);
  });
});

describe('runPretrainJob engine choice', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-ort-job-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains on onnxruntime by default (every core) and on tfjs when asked, and says which', async () => {
    const data = path.join(dir, 'barcodes.csv');
    writeFileSync(data, 'processid,dna_barcode\n' + seqs.map((s, i) => `P${i},${s}`).join('\n') + '\n');
    const base = { data, config: { k: 4, layers: 1, heads: 2, hidden: 16 }, steps: 3, batchSize: 4 };
    const fast = await runPretrainJob(base);
    expect(fast.backend).toBe(
      `onnxruntime-node cpu, ${os.availableParallelism()} thread${os.availableParallelism() > 1 ? 's' : ''}`,
    );
    const one = await runPretrainJob({ ...base, threads: 1 });
    expect(one.backend).toBe('onnxruntime-node cpu, 1 thread');
    const slow = await runPretrainJob({ ...base, engine: 'tfjs' });
    expect(slow.backend).toMatch(/^tfjs (wasm|cpu|tensorflow)$/);
    expect(await runPretrainJob({ ...base, backend: 'cpu' })).toMatchObject({ backend: 'tfjs cpu' });
    // Same seed, same first batch, same initial weights: the engines agree on the first loss.
    expect(Math.abs(fast.firstLoss! - slow.firstLoss!)).toBeLessThan(1e-4);
  });
});
