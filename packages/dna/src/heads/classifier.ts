/**
 * Species classifiers on top of the encoder, as in the paper's Table 4: fine-tuning (mean pool -> linear ->
 * cross-entropy, encoder trained too) and the linear probe (same head, encoder frozen: embeddings are computed
 * once and a softmax regression is trained on them).
 */
import * as tf from '@tensorflow/tfjs';
import { Bioscan5mError, throwIfAborted } from '@bioscan5m/core';
import { createKmerTokenizer } from '../tokenizer/kmer.js';
import { encoderPooled, initParams, type EncoderConfig, type ParamMap } from '../model/encoder.js';
import type { FineTuneOptions as PublicFineTuneOptions } from '../model/public-types.js';
import { createAdamW, oneCycleLr } from '../model/adamw.js';
import { warmupCosineLr } from './lr-schedule.js';
import { dense, sparseCrossEntropy } from '../model/ops.js';
import { batches, runSteps, withGrads } from './train-steps.js';

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
  /** Peak learning rate (linear probe: of the head; fine-tuning: of the encoder, when encoderLr is not given). */
  maxLr?: number;
  weightDecay?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  onStep?: (info: { step: number; loss: number }) => void;
  /** Stops training between steps (a Bioscan5mError 'BIOSCAN5M_INTERRUPTED'; the head being trained is freed). */
  signal?: AbortSignal;
}

/** The public FineTuneOptions (public-types.ts) with its initial head as tfjs variables. */
export interface FineTuneOptions extends Omit<PublicFineTuneOptions, 'initHead'> {
  initHead?: ClassifierHead;
}

/**
 * The fine-tuning recipe. BarcodeBERT's reference (barcodebert/finetuning.py) uses one AdamW group at
 * 1e-4 x batch/64 with OneCycle, which suits an encoder pretrained on millions of barcodes and a head with
 * thousands of examples per few classes. Here the classes outnumber the barcodes per class (about 3 training
 * barcodes per species), so a fresh head at 1e-4 learns nothing in a few epochs (measured: 4.7% species, the
 * commonest class). The recipe: the head starts from the linear probe (LP-FT, Kumar et al. 2022) and trains at
 * 1e-3; the encoder at 3e-4 (a small model, lightly pretrained: it has more to learn than a published one);
 * 10% linear warm-up then cosine decay to 1% of the peak; 6 epochs.
 */
export const FINETUNE_DEFAULTS = { encoderLr: 3e-4, headLr: 1e-3, warmupFraction: 0.1, epochs: 6, batchSize: 32 };

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

/**
 * Fine-tunes encoder + linear head on (sequence, label) pairs (FINETUNE_DEFAULTS for the recipe). The encoder
 * params are updated in place; the returned head is new (initHead is copied, not changed). Async so that it yields
 * after each step: an abort of `signal` (a Bioscan5mError 'BIOSCAN5M_INTERRUPTED'; the new head and the optimizer
 * state are freed, the encoder keeps the updates made so far), and SIGINT/SIGTERM, take effect after the step in
 * flight, not after training.
 */
export async function fineTune(
  config: EncoderConfig,
  params: ParamMap,
  sequences: readonly string[],
  labels: readonly string[],
  opts: FineTuneOptions = {},
): Promise<ClassifierHead> {
  if (sequences.length !== labels.length)
    throw new Bioscan5mError(`${sequences.length} sequences but ${labels.length} labels`);
  if (sequences.length === 0) throw new Bioscan5mError('fine-tuning needs labelled sequences');
  throwIfAborted(opts.signal);
  const { classes, index } = buildClassLabels(labels);
  const head = opts.initHead
    ? copyHead(opts.initHead, classes)
    : newHead(config.hidden, classes, (opts.seed ?? 0) + 101);
  const tok = createKmerTokenizer({ k: config.k, maxLen: config.maxLen, prependCls: config.prependCls });
  const plan = batches(
    sequences.length,
    opts.batchSize ?? FINETUNE_DEFAULTS.batchSize,
    opts.epochs ?? FINETUNE_DEFAULTS.epochs,
    opts.seed ?? 0,
  );
  const wd = opts.weightDecay ?? 0.01;
  // Two AdamW groups (each ignores the other's gradients): the head and the encoder have their own peaks.
  const optEncoder = createAdamW(params, { weightDecay: wd });
  const optHead = createAdamW(head.params, { weightDecay: wd });
  const vars = [...params.values(), ...head.params.values()];
  const warmupSteps = Math.round(plan.length * (opts.warmupFraction ?? FINETUNE_DEFAULTS.warmupFraction));
  const schedule = (peak: number, step: number) => warmupCosineLr(step, { peak, totalSteps: plan.length, warmupSteps });
  const encoderLr = opts.encoderLr ?? opts.maxLr ?? FINETUNE_DEFAULTS.encoderLr;
  const headLr = opts.headLr ?? FINETUNE_DEFAULTS.headLr;
  await runSteps(plan, { ...opts, made: head.params, optimizers: [optEncoder, optHead] }, (rows, step) => {
    const enc = tok.encodeBatch(rows.map((r) => sequences[r]));
    const y = Int32Array.from(rows, (r) => index.get(labels[r])!);
    const pass = tf.variableGrads(() => {
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
    const loss = withGrads(pass, (grads, value) => {
      optEncoder.step(grads, schedule(encoderLr, step));
      optHead.step(grads, schedule(headLr, step));
      return value.dataSync()[0];
    });
    opts.onStep?.({ step: step + 1, loss });
  });
  return head;
}

/** A trainable copy of `h`, checked to have the classes fine-tuning builds from its labels. */
function copyHead(h: ClassifierHead, classes: string[]): ClassifierHead {
  if (h.classes.length !== classes.length || h.classes.some((c, i) => c !== classes[i]))
    throw new Bioscan5mError('initHead was trained on other classes than the fine-tuning labels');
  // The clone is freed once the variable holds its values (dispose drops one reference), as AdamW's zeros are.
  const copy = (n: string, v: tf.Tensor) => {
    const c = v.clone();
    const x = tf.variable(c, true, `${n}_ft_${variableSerial++}`);
    c.dispose();
    return x;
  };
  return { classes, params: new Map([...h.params].map(([n, v]) => [n, copy(n, v)])) };
}
let variableSerial = 0;

/**
 * Softmax regression on fixed features X [n, d] (the linear probe). As the reference probe
 * (BarcodeBERT baselines/linear_probing.py) it trains on features standardised by one mean and one standard
 * deviation over all of X (`standardize: false` to train on X as given); the scaling is folded into the returned
 * head, so it applies to raw features like any other head. Async and abortable between steps as fineTune is.
 */
export async function trainLinearProbe(
  x: Float32Array,
  d: number,
  labels: readonly string[],
  opts: TrainClassifierOptions & { standardize?: boolean } = {},
): Promise<ClassifierHead> {
  const n = labels.length;
  if (x.length !== n * d) throw new RangeError(`features hold ${x.length / d} rows for ${n} labels`);
  throwIfAborted(opts.signal);
  const { mean, std } = opts.standardize === false ? { mean: 0, std: 1 } : globalMoments(x);
  const { classes, index } = buildClassLabels(labels);
  const head = newHead(d, classes, (opts.seed ?? 0) + 202);
  const plan = batches(n, opts.batchSize ?? 256, opts.epochs ?? 100, opts.seed ?? 0);
  const opt = createAdamW(head.params, { weightDecay: opts.weightDecay ?? 1e-4 });
  const vars = [...head.params.values()];
  const maxLr = opts.maxLr ?? 1e-2;
  await runSteps(plan, { ...opts, made: head.params, optimizers: [opt] }, (rows, step) => {
    const xb = new Float32Array(rows.length * d);
    rows.forEach((r, i) => xb.set(x.subarray(r * d, r * d + d), i * d));
    for (let i = 0; i < xb.length; i++) xb[i] = (xb[i] - mean) / std;
    const y = Int32Array.from(rows, (r) => index.get(labels[r])!);
    const pass = tf.variableGrads(
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
    withGrads(pass, (grads) => opt.step(grads, oneCycleLr(step, { maxLr, totalSteps: plan.length })));
  });
  // ((x - m) / s) W + b = x (W / s) + (b - (m / s) 1ᵀW)
  if (mean !== 0 || std !== 1) {
    const w = head.params.get('cls.w')!;
    const b = head.params.get('cls.b')!;
    tf.tidy(() => {
      b.assign(tf.sub(b, tf.mul(tf.sum(w, 0), mean / std)));
      w.assign(tf.div(w, std));
    });
  }
  return head;
}

/** Mean and standard deviation of all the values of X (1 when X is constant). */
function globalMoments(x: Float32Array): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const mean = x.length ? s / x.length : 0;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - mean) ** 2;
  const std = x.length ? Math.sqrt(v / x.length) : 1;
  return { mean, std: std > 0 ? std : 1 };
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
