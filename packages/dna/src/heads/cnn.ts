/**
 * The CNN baseline of the paper's Table 4 (Badirli et al. 2021): one-hot DNA (A, C, G, T, other) of fixed
 * length -> three blocks of [1-D convolution (width 3, same padding) -> ReLU -> max-pool 2] -> dense 500 ->
 * ReLU -> linear -> softmax over species. Batch normalisation and dropout of the original are left out.
 * Convolutions are im2col + one 2-D matMul (Conv2DBackpropFilter is missing on wasm), and pooling keeps its
 * argmax in JS for the backward pass.
 */
import * as tf from '@tensorflow/tfjs';
import { Bioscan5mError } from '@bioscan5m/core';
import { createAdamW, oneCycleLr } from '../model/adamw.js';
import { initParams, type ParamMap } from '../model/encoder.js';
import { dense, sparseCrossEntropy } from '../model/ops.js';
import { buildClassLabels } from './classifier.js';
import { batches, runSteps, withGrads } from './train-steps.js';

const customGrad = tf.customGrad as unknown as (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  f: (...args: any[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor) => tf.Tensor },
) => (...xs: tf.Tensor[]) => tf.Tensor;

export interface CnnConfig {
  length: number;
  channels: number[];
  dense: number;
  classes: string[];
}

export interface CnnModel {
  config: CnnConfig;
  params: ParamMap;
}

const CODE: Record<string, number> = { A: 0, C: 1, G: 2, T: 3 };

/** One-hot [n, length, 5]: A, C, G, T, and a fifth channel for anything else (N, gaps, ambiguity codes). */
export function oneHotDna(sequences: readonly string[], length: number): Float32Array {
  const out = new Float32Array(sequences.length * length * 5);
  sequences.forEach((raw, i) => {
    const s = raw.toUpperCase();
    for (let p = 0; p < length; p++) {
      const c = p < s.length ? CODE[s[p]] : undefined;
      out[(i * length + p) * 5 + (c ?? 4)] = 1;
    }
  });
  return out;
}

/** [B, L, C] -> columns [B*L, 3C] for a width-3 'same' convolution. */
function im2col(x: tf.Tensor3D): tf.Tensor2D {
  const [b, l, c] = x.shape;
  const f = customGrad((t: tf.Tensor) => {
    const X = t.dataSync() as Float32Array;
    const cols = new Float32Array(b * l * 3 * c);
    for (let i = 0; i < b; i++)
      for (let p = 0; p < l; p++)
        for (let w = 0; w < 3; w++) {
          const q = p + w - 1;
          if (q < 0 || q >= l) continue;
          cols.set(X.subarray((i * l + q) * c, (i * l + q + 1) * c), ((i * l + p) * 3 + w) * c);
        }
    return {
      value: tf.tensor2d(cols, [b * l, 3 * c]),
      gradFunc: (dy: tf.Tensor) => {
        const G = dy.dataSync() as Float32Array;
        const dx = new Float32Array(b * l * c);
        for (let i = 0; i < b; i++)
          for (let p = 0; p < l; p++)
            for (let w = 0; w < 3; w++) {
              const q = p + w - 1;
              if (q < 0 || q >= l) continue;
              const src = ((i * l + p) * 3 + w) * c;
              const dst = (i * l + q) * c;
              for (let j = 0; j < c; j++) dx[dst + j] += G[src + j];
            }
        return tf.tensor3d(dx, [b, l, c]);
      },
    };
  });
  return f(x) as tf.Tensor2D;
}

/** Max-pool of width 2 along the length axis: [B, L, C] -> [B, floor(L/2), C]. */
function maxPool2(x: tf.Tensor3D): tf.Tensor3D {
  const [b, l, c] = x.shape;
  const lo = Math.floor(l / 2);
  const f = customGrad((t: tf.Tensor) => {
    const X = t.dataSync() as Float32Array;
    const out = new Float32Array(b * lo * c);
    const arg = new Int32Array(b * lo * c);
    for (let i = 0; i < b; i++)
      for (let p = 0; p < lo; p++)
        for (let j = 0; j < c; j++) {
          const a = (i * l + 2 * p) * c + j;
          const z = a + c;
          const o = (i * lo + p) * c + j;
          if (X[z] > X[a]) {
            out[o] = X[z];
            arg[o] = z;
          } else {
            out[o] = X[a];
            arg[o] = a;
          }
        }
    return {
      value: tf.tensor3d(out, [b, lo, c]),
      gradFunc: (dy: tf.Tensor) => {
        const G = dy.dataSync() as Float32Array;
        const dx = new Float32Array(b * l * c);
        for (let o = 0; o < G.length; o++) dx[arg[o]] += G[o];
        return tf.tensor3d(dx, [b, l, c]);
      },
    };
  });
  return f(x) as tf.Tensor3D;
}

function cnnShapes(cfg: CnnConfig): [string, number[]][] {
  const shapes: [string, number[]][] = [];
  let c = 5;
  let l = cfg.length;
  cfg.channels.forEach((f, i) => {
    shapes.push([`conv${i}.w`, [3 * c, f]], [`conv${i}.b`, [f]]);
    c = f;
    l = Math.floor(l / 2);
  });
  shapes.push(
    ['fc.w', [l * c, cfg.dense]],
    ['fc.b', [cfg.dense]],
    ['out.w', [cfg.dense, cfg.classes.length]],
    ['out.b', [cfg.classes.length]],
  );
  return shapes;
}

/** Logits [B, classes] for one-hot input [B, length, 5]. */
export function cnnForward(model: CnnModel, x: tf.Tensor3D): tf.Tensor2D {
  const P = (n: string) => model.params.get(n)!;
  let h = x;
  model.config.channels.forEach((f, i) => {
    const [b, l] = h.shape;
    const conv = tf.relu(dense(im2col(h), P(`conv${i}.w`) as tf.Tensor2D, P(`conv${i}.b`) as tf.Tensor1D));
    h = maxPool2(tf.reshape(conv, [b, l, f]) as tf.Tensor3D);
  });
  const [b, l, c] = h.shape;
  const z = tf.relu(
    dense(tf.reshape(h, [b, l * c]) as tf.Tensor2D, P('fc.w') as tf.Tensor2D, P('fc.b') as tf.Tensor1D),
  ) as tf.Tensor2D;
  return dense(z, P('out.w') as tf.Tensor2D, P('out.b') as tf.Tensor1D);
}

export interface TrainCnnOptions {
  length?: number;
  channels?: number[];
  dense?: number;
  epochs?: number;
  batchSize?: number;
  maxLr?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  /** Stops training between steps (a Bioscan5mError 'BIOSCAN5M_INTERRUPTED'; the weights are freed). */
  signal?: AbortSignal;
}

/**
 * Trains the CNN on (sequence, label) pairs. Async so that it yields between steps: an abort of `signal`, and
 * SIGINT/SIGTERM (which remove the temp files and exit), take effect after the step in flight, not after training.
 */
export async function trainCnn(
  sequences: readonly string[],
  labels: readonly string[],
  opts: TrainCnnOptions = {},
): Promise<CnnModel> {
  if (sequences.length === 0 || sequences.length !== labels.length)
    throw new Bioscan5mError('the CNN needs as many labels as sequences (at least one)');
  const { classes, index } = buildClassLabels(labels);
  const config: CnnConfig = {
    length: opts.length ?? 660,
    channels: opts.channels ?? [64, 64, 64],
    dense: opts.dense ?? 500,
    classes,
  };
  const model: CnnModel = { config, params: initParams(cnnShapes(config), (opts.seed ?? 0) + 303) };
  // He initialisation suits ReLU better than BERT's N(0, 0.02).
  for (const [name, v] of model.params)
    if (name.endsWith('.w')) tf.tidy(() => v.assign(tf.mul(v, Math.sqrt(2 / v.shape[0]) / 0.02)));
  const plan = batches(sequences.length, opts.batchSize ?? 32, opts.epochs ?? 10, opts.seed ?? 0);
  const opt = createAdamW(model.params, { weightDecay: 1e-4 });
  const vars = [...model.params.values()];
  await runSteps(plan, { ...opts, made: model.params, optimizers: [opt] }, (rows, step) => {
    const x = oneHotDna(
      rows.map((r) => sequences[r]),
      config.length,
    );
    const y = Int32Array.from(rows, (r) => index.get(labels[r])!);
    const pass = tf.variableGrads(
      () => sparseCrossEntropy(cnnForward(model, tf.tensor3d(x, [rows.length, config.length, 5])), y),
      vars,
    );
    withGrads(pass, (grads) =>
      opt.step(grads, oneCycleLr(step, { maxLr: opts.maxLr ?? 1e-3, totalSteps: plan.length })),
    );
  });
  return model;
}

export function predictCnn(model: CnnModel, sequences: readonly string[], batchSize = 64): string[] {
  const out: string[] = [];
  const L = model.config.length;
  for (let s = 0; s < sequences.length; s += batchSize) {
    const chunk = sequences.slice(s, s + batchSize);
    const logits = tf.tidy(() => cnnForward(model, tf.tensor3d(oneHotDna(chunk, L), [chunk.length, L, 5])));
    const z = logits.dataSync();
    logits.dispose();
    const c = model.config.classes.length;
    for (let i = 0; i < chunk.length; i++) {
      let bi = 0;
      for (let j = 1; j < c; j++) if (z[i * c + j] > z[i * c + bi]) bi = j;
      out.push(model.config.classes[bi]);
    }
  }
  return out;
}
