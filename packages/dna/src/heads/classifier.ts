/**
 * Species classifiers on top of the encoder, as in the paper's Table 4: fine-tuning (mean pool -> linear ->
 * cross-entropy, encoder trained too) and the linear probe (same head, encoder frozen: embeddings are computed
 * once and a softmax regression is trained on them).
 */
import * as tf from '@tensorflow/tfjs';
import { Bioscan5mError, createRng } from '@bioscan5m/core';
import { createKmerTokenizer } from '../tokenizer/kmer.js';
import { encoderPooled, initParams, type EncoderConfig, type ParamMap } from '../model/encoder.js';
import { createAdamW, oneCycleLr } from '../model/adamw.js';
import { dense, sparseCrossEntropy } from '../model/ops.js';

export interface ClassLabels {
  classes: string[];
  index: Map<string, number>;
}

/** Sorted class list (lexicographic, as the reference builds categories). */
export function buildClassLabels(labels: readonly string[]): ClassLabels {
  const classes = [...new Set(labels)].sort();
  return { classes, index: new Map(classes.map((c, i) => [c, i])) };
}

export interface ClassifierHead {
  classes: string[];
  params: ParamMap; // 'cls.w' [D, C], 'cls.b' [C]
}

export interface TrainClassifierOptions {
  epochs?: number;
  batchSize?: number;
  maxLr?: number;
  weightDecay?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  onStep?: (info: { step: number; loss: number }) => void;
}

function newHead(d: number, classes: string[], seed: number): ClassifierHead {
  return {
    classes,
    params: initParams(
      [
        ['cls.w', [d, classes.length]],
        ['cls.b', [classes.length]],
      ],
      seed,
    ),
  };
}

function batches(n: number, bs: number, epochs: number, seed: number): number[][] {
  const rng = createRng(seed);
  const out: number[][] = [];
  for (let e = 0; e < epochs; e++) {
    const idx = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    for (let s = 0; s < n; s += bs) out.push(idx.slice(s, s + bs));
  }
  return out;
}

/** Fine-tunes encoder + linear head on (sequence, label) pairs. The encoder params are updated in place. */
export function fineTune(
  config: EncoderConfig,
  params: ParamMap,
  sequences: readonly string[],
  labels: readonly string[],
  opts: TrainClassifierOptions = {},
): ClassifierHead {
  if (sequences.length !== labels.length)
    throw new Bioscan5mError(`${sequences.length} sequences but ${labels.length} labels`);
  if (sequences.length === 0) throw new Bioscan5mError('fine-tuning needs labelled sequences');
  const { classes, index } = buildClassLabels(labels);
  const head = newHead(config.hidden, classes, (opts.seed ?? 0) + 101);
  const tok = createKmerTokenizer({ k: config.k, maxLen: config.maxLen, prependCls: config.prependCls });
  const plan = batches(sequences.length, opts.batchSize ?? 32, opts.epochs ?? 3, opts.seed ?? 0);
  const all: ParamMap = new Map([...params, ...head.params]);
  const opt = createAdamW(all, { weightDecay: opts.weightDecay ?? 0.01 });
  const vars = [...all.values()];
  const maxLr = opts.maxLr ?? 1e-4;
  plan.forEach((rows, step) => {
    const enc = tok.encodeBatch(rows.map((r) => sequences[r]));
    const y = Int32Array.from(rows, (r) => index.get(labels[r])!);
    const { value, grads } = tf.variableGrads(() => {
      const pooled = encoderPooled(config, params, {
        ids: enc.ids,
        attentionMask: enc.attentionMask,
        batch: rows.length,
      });
      return sparseCrossEntropy(
        dense(pooled, head.params.get('cls.w') as tf.Tensor2D, head.params.get('cls.b') as tf.Tensor1D),
        y,
      );
    }, vars);
    opt.step(grads, oneCycleLr(step, { maxLr, totalSteps: plan.length }));
    opts.onStep?.({ step: step + 1, loss: value.dataSync()[0] });
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    opts.onProgress?.(step + 1, plan.length);
  });
  opt.dispose();
  return head;
}

/** Softmax regression on fixed features X [n, d] (the linear probe). */
export function trainLinearProbe(
  x: Float32Array,
  d: number,
  labels: readonly string[],
  opts: TrainClassifierOptions = {},
): ClassifierHead {
  const n = labels.length;
  if (x.length !== n * d) throw new RangeError(`features hold ${x.length / d} rows for ${n} labels`);
  const { classes, index } = buildClassLabels(labels);
  const head = newHead(d, classes, (opts.seed ?? 0) + 202);
  const plan = batches(n, opts.batchSize ?? 256, opts.epochs ?? 100, opts.seed ?? 0);
  const opt = createAdamW(head.params, { weightDecay: opts.weightDecay ?? 1e-4 });
  const vars = [...head.params.values()];
  const maxLr = opts.maxLr ?? 1e-2;
  plan.forEach((rows, step) => {
    const xb = new Float32Array(rows.length * d);
    rows.forEach((r, i) => xb.set(x.subarray(r * d, r * d + d), i * d));
    const y = Int32Array.from(rows, (r) => index.get(labels[r])!);
    const { value, grads } = tf.variableGrads(
      () =>
        sparseCrossEntropy(
          dense(
            tf.tensor2d(xb, [rows.length, d]),
            head.params.get('cls.w') as tf.Tensor2D,
            head.params.get('cls.b') as tf.Tensor1D,
          ),
          y,
        ),
      vars,
    );
    opt.step(grads, oneCycleLr(step, { maxLr, totalSteps: plan.length }));
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    opts.onProgress?.(step + 1, plan.length);
  });
  opt.dispose();
  return head;
}

/** Class predictions of a head over features X [n, d]. */
export function predictWithHead(head: ClassifierHead, x: Float32Array, d: number): string[] {
  const n = x.length / d;
  const logits = tf.tidy(() =>
    dense(tf.tensor2d(x, [n, d]), head.params.get('cls.w') as tf.Tensor2D, head.params.get('cls.b') as tf.Tensor1D),
  );
  const z = logits.dataSync();
  logits.dispose();
  const c = head.classes.length;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let bi = 0;
    for (let j = 1; j < c; j++) if (z[i * c + j] > z[i * c + bi]) bi = j;
    out.push(head.classes[bi]);
  }
  return out;
}
