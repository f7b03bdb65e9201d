// Both training engines against PyTorch: loss, every gradient and one AdamW step of a tiny model, golden values
// from scripts/mlm_step_reference.py (plain torch ops in float64, torch.optim.AdamW).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { loadOrt } from '../engines.js';
import type { WeightArrays } from '../model/checkpoint-file.js';
import type { EncoderConfig } from '../model/config.js';
import { arraysToVariables } from '../model/encoder.js';
import type { MlmBatch } from '../model/mlm-batch.js';
import { createTfjsMlmEngine, mlmLoss } from '../model/mlm.js';
import { encoderParamShapes, mlmHeadShapes } from '../model/params.js';
import type { TrainStart } from '../model/pretrain-loop.js';
import { batchFeeds, createOrtMlmEngine, sessionOptions } from './ort-engine.js';
import { mlmStepGraph } from './mlm-step-graph.js';

const golden = JSON.parse(readFileSync(new URL('./fixtures/mlm-step-torch.json', import.meta.url), 'utf8')) as {
  config: EncoderConfig;
  batch: number;
  lr: number;
  weightDecay: number;
  ids: number[];
  attentionMask: number[];
  positions: number[];
  labels: number[];
  shapes: Record<string, number[]>;
  weights: Record<string, number[]>;
  loss: number;
  grads: Record<string, number[]>;
  updated: Record<string, number[]>;
};
const cfg = golden.config;
const batch: MlmBatch = {
  ids: Int32Array.from(golden.ids),
  attentionMask: Int32Array.from(golden.attentionMask),
  batch: golden.batch,
  positions: Int32Array.from(golden.positions),
  labels: Int32Array.from(golden.labels),
};
const shapes = [...encoderParamShapes(cfg), ...mlmHeadShapes(cfg)];
const headNames = new Set(mlmHeadShapes(cfg).map(([n]) => n));

function start(): TrainStart {
  const encoder: WeightArrays = new Map();
  const head: WeightArrays = new Map();
  for (const [name, shape] of shapes) {
    expect(golden.shapes[name], name).toEqual(shape);
    (headNames.has(name) ? head : encoder).set(name, { data: Float32Array.from(golden.weights[name]), shape });
  }
  return { config: cfg, encoder, head, optimizer: new Map(), step: 0, weightDecay: golden.weightDecay };
}

function expectClose(got: ArrayLike<number>, want: number[], tol: number, what: string) {
  let diff = 0;
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  expect(got.length, what).toBe(want.length);
  expect(diff / scale, what).toBeLessThan(tol);
}

describe('training step against PyTorch (golden values)', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('tfjs: loss and every gradient', () => {
    const s = start();
    const params = arraysToVariables(s.encoder, 'e.');
    const head = arraysToVariables(s.head, 'h.');
    const byVar = new Map([...params, ...head].map(([n, v]) => [v.name, n]));
    const { value, grads } = tf.variableGrads(() => mlmLoss(cfg, params, head, batch));
    expect(Math.abs(value.dataSync()[0] - golden.loss)).toBeLessThan(1e-5 * golden.loss);
    for (const [k, g] of Object.entries(grads)) {
      const name = byVar.get(k)!;
      expectClose(g.dataSync(), golden.grads[name], 1e-4, name);
    }
  });

  it('onnxruntime: loss and every gradient', async () => {
    const ort = await loadOrt();
    const s = start();
    const session = await ort.InferenceSession.create(await mlmStepGraph(cfg, { params: shapes }), sessionOptions(2));
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { ...batchFeeds(ort, cfg, batch) };
    for (const [name, shape] of shapes)
      feeds[name] = new ort.Tensor('float32', (s.encoder.get(name) ?? s.head.get(name))!.data as Float32Array, shape);
    const out = await session.run(feeds);
    expect(Math.abs((out.loss.data as Float32Array)[0] - golden.loss)).toBeLessThan(1e-5 * golden.loss);
    // The graph returns the gradient of the summed loss; the mean's is 1/M of it.
    const rows = batch.positions.length;
    for (const [name] of shapes) {
      const g = (out[`grad:${name}`].data as Float32Array).map((x) => x / rows);
      expectClose(g, golden.grads[name], 1e-4, name);
    }
    await session.release();
  });

  it.each(['tfjs', 'onnx'] as const)('%s: one AdamW step gives torch.optim.AdamW weights', async (engine) => {
    const e =
      engine === 'tfjs' ? await createTfjsMlmEngine(start()) : await createOrtMlmEngine(start(), { threads: 2 });
    await e.step(batch, golden.lr);
    const w = e.arrays();
    let skipped = 0;
    for (const [name] of shapes) {
      const got = (headNames.has(name) ? w.head : w.encoder).get(name)!.data;
      // The first Adam step moves each weight by about lr (m/sqrt(v) = ±1): within 1% of it. Where the true
      // gradient is zero (the key bias: softmax ignores a shift of every score), the sign of float32 rounding
      // noise decides the step, so those weights are left out.
      let diff = 0;
      for (let i = 0; i < got.length; i++) {
        const keyBias = name.endsWith('qkv.b') && i >= cfg.hidden && i < 2 * cfg.hidden;
        if (keyBias) {
          expect(Math.abs(golden.grads[name][i])).toBeLessThan(1e-15);
          skipped++;
        } else diff = Math.max(diff, Math.abs(got[i] - golden.updated[name][i]));
      }
      expect(diff, name).toBeLessThan(0.01 * golden.lr);
    }
    expect(skipped).toBe(cfg.layers * cfg.hidden);
    if ('dispose' in e) await e.dispose();
  });
});
