/**
 * Masked-language-model pretraining (BarcodeBERT): 50% of tokens replaced by [MASK], cross-entropy on the masked
 * positions (default) or on every position (the reference code's loss, `loss: 'all'`), AdamW + OneCycle.
 * Every random draw of step s comes from a generator seeded by (seed, s), so a run resumed from a checkpoint at
 * step s continues exactly as the uninterrupted run would have.
 */
import * as tf from '@tensorflow/tfjs';
import { Bioscan5mError, createRng } from '@bioscan5m/core';
import { createKmerTokenizer, MASK_ID } from '../tokenizer/kmer.js';
import { createAdamW, oneCycleLr } from './adamw.js';
import {
  encoderConfig,
  encoderForward,
  encoderParamShapes,
  initParams,
  type EncoderConfig,
  type ParamMap,
} from './encoder.js';
import { dense, gatherRows, gelu, layerNorm, sparseCrossEntropy } from './ops.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { PretrainOptions } from './config.js';

export type { PretrainOptions };

export interface PretrainResult {
  config: EncoderConfig;
  params: ParamMap;
  head: ParamMap;
  /** Step count reached (the schedule's position). */
  step: number;
  startStep: number;
  losses: number[];
  /** Sequences per second over the steps after the first (warm-up) one of this run; null with < 2 steps. */
  sequencesPerSecond: number | null;
  backend: string;
}

export function mlmHeadShapes(cfg: EncoderConfig): [string, number[]][] {
  const d = cfg.hidden;
  return [
    ['mlm.transform.w', [d, d]],
    ['mlm.transform.b', [d]],
    ['mlm.ln.gamma', [d]],
    ['mlm.ln.beta', [d]],
    ['mlm.decoder.w', [d, cfg.vocabSize]],
    ['mlm.decoder.b', [cfg.vocabSize]],
  ];
}

export interface MlmBatch {
  ids: Int32Array;
  attentionMask: Int32Array;
  batch: number;
  /** Flat token positions the loss covers and their true ids. */
  positions: Int32Array;
  labels: Int32Array;
}

/** Builds the masked batch of step `step`: deterministic in (seed, step). */
export function makeMlmBatch(
  sequences: readonly string[],
  cfg: EncoderConfig,
  o: {
    batchSize: number;
    seed: number;
    step: number;
    maskRatio: number;
    loss: 'masked' | 'all';
    randomOffset: boolean;
  },
): MlmBatch {
  const n = sequences.length;
  const tok = createKmerTokenizer({ k: cfg.k, maxLen: cfg.maxLen, prependCls: cfg.prependCls });
  const picks: string[] = [];
  for (let i = 0; i < o.batchSize; i++) {
    const pos = o.step * o.batchSize + i;
    const epoch = Math.floor(pos / n);
    picks.push(sequences[epochPermutation(n, o.seed, epoch)[pos % n]]);
  }
  const rng = createRng((Math.imul(o.seed, 1000003) + o.step * 7919 + 17) | 0);
  const offsets = picks.map(() => (o.randomOffset ? rng.int(0, cfg.k - 1) : 0));
  const { ids, attentionMask } = tok.encodeBatch(picks, offsets);
  const labelsAll = ids.slice();
  const positions: number[] = [];
  const firstSpecial = cfg.prependCls ? 1 : 0;
  const L = tok.seqLen;
  for (let i = 0; i < ids.length; i++) {
    const candidate = o.loss === 'all' || (attentionMask[i] === 1 && i % L >= firstSpecial);
    const masked = candidate && rng.random() < o.maskRatio;
    if (masked) ids[i] = MASK_ID;
    if (o.loss === 'all' || masked) positions.push(i);
  }
  if (positions.length === 0) positions.push(firstSpecial); // a batch of empty sequences still yields a loss
  const p = Int32Array.from(positions);
  const labels = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) labels[i] = labelsAll[p[i]];
  return { ids, attentionMask, batch: o.batchSize, positions: p, labels };
}

let permCache: { key: string; perm: Int32Array } | null = null;
function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  const key = `${n}:${seed}:${epoch}`;
  if (permCache?.key === key) return permCache.perm;
  const idx = Array.from({ length: n }, (_, i) => i);
  createRng((Math.imul(seed, 7919) + epoch * 104729 + 3) | 0).shuffle(idx);
  permCache = { key, perm: Int32Array.from(idx) };
  return permCache.perm;
}

/** MLM loss of one batch (call inside variableGrads). */
export function mlmLoss(cfg: EncoderConfig, params: ParamMap, head: ParamMap, b: MlmBatch): tf.Scalar {
  const h = encoderForward(cfg, params, b);
  const sel = gatherRows(h, b.positions);
  const H = (n: string) => head.get(n)!;
  const t = layerNorm(
    gelu(dense(sel, H('mlm.transform.w') as tf.Tensor2D, H('mlm.transform.b') as tf.Tensor1D)) as tf.Tensor2D,
    H('mlm.ln.gamma') as tf.Tensor1D,
    H('mlm.ln.beta') as tf.Tensor1D,
    cfg.layerNormEps,
  );
  const logits = dense(t, H('mlm.decoder.w') as tf.Tensor2D, H('mlm.decoder.b') as tf.Tensor1D);
  return sparseCrossEntropy(logits, b.labels);
}

export async function pretrainMlm(o: PretrainOptions): Promise<PretrainResult> {
  if (o.sequences.length === 0) throw new Bioscan5mError('pretraining needs at least one sequence');
  if (!(o.steps >= 1)) throw new Bioscan5mError(`steps must be >= 1, got ${o.steps}`);
  const batchSize = o.batchSize ?? 64;
  const seed = o.seed ?? 0;
  const maxLr = o.maxLr ?? 1e-4 * (batchSize / 64);
  const trainOpts = {
    batchSize,
    seed,
    maxLr,
    steps: o.steps,
    weightDecay: o.weightDecay ?? 0.01,
    maskRatio: o.maskRatio ?? 0.5,
    loss: o.loss ?? 'masked',
    randomOffset: o.randomOffset ?? true,
  } as const;
  let cfg = encoderConfig(o.config);
  let params: ParamMap;
  let head: ParamMap;
  let startStep = 0;
  let optState: { t: number; tensors: Map<string, tf.Tensor> } | null = null;
  const { existsSync } = await import('node:fs');
  if (o.resume && o.checkpoint && existsSync(o.checkpoint)) {
    const ck = loadCheckpoint(o.checkpoint);
    const saved = ck.meta.train as typeof trainOpts | undefined;
    if (saved && (saved.steps !== trainOpts.steps || saved.batchSize !== batchSize || saved.seed !== seed)) {
      throw new Bioscan5mError(
        `${o.checkpoint}: checkpoint was written by a run with steps=${saved.steps} batch=${saved.batchSize} seed=${saved.seed}; resume with the same settings`,
      );
    }
    cfg = ck.config;
    params = ck.params;
    head = ck.head;
    startStep = ck.step;
    optState = { t: ck.step, tensors: ck.optimizer };
  } else {
    params = initParams(encoderParamShapes(cfg), seed);
    head = initParams(mlmHeadShapes(cfg), seed + 1);
  }
  const all: ParamMap = new Map([...params, ...head]);
  const opt = createAdamW(all, { weightDecay: trainOpts.weightDecay });
  if (optState) {
    opt.loadState(optState.t, optState.tensors);
    for (const t of optState.tensors.values()) t.dispose();
  }
  const vars = [...all.values()];
  const losses: number[] = [];
  const end = Math.min(o.steps, o.stopAfter ?? o.steps);
  const every = o.checkpointEvery ?? 100;
  let timedMs = 0;
  let timedSteps = 0;
  const save = (step: number) => {
    if (o.checkpoint)
      saveCheckpoint(o.checkpoint, {
        config: cfg,
        params,
        head,
        step,
        optimizer: opt.state().tensors,
        meta: { train: trainOpts },
      });
  };
  let step = startStep;
  for (; step < end; step++) {
    const t0 = performance.now();
    const batch = makeMlmBatch(o.sequences, cfg, { ...trainOpts, step });
    const lr = oneCycleLr(step, { maxLr, totalSteps: o.steps });
    const { value, grads } = tf.variableGrads(() => mlmLoss(cfg, params, head, batch), vars);
    opt.step(grads, lr);
    const loss = (await value.data())[0];
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    const ms = performance.now() - t0;
    if (step > startStep) {
      timedMs += ms;
      timedSteps++;
    }
    losses.push(loss);
    o.onStep?.({ step: step + 1, loss, lr, ms });
    o.onProgress?.(step + 1, o.steps);
    if (o.checkpoint && (step + 1) % every === 0 && step + 1 < end) save(step + 1);
    // A macrotask per step (data() resolves in a microtask on the wasm/cpu backends): without it SIGINT/SIGTERM
    // would wait for the end of training, and their temp-file removal with them.
    await new Promise((resolve) => setImmediate(resolve));
  }
  save(step);
  opt.dispose();
  return {
    config: cfg,
    params,
    head,
    step,
    startStep,
    losses,
    sequencesPerSecond: timedSteps > 0 ? (timedSteps * batchSize) / (timedMs / 1000) : null,
    backend: tf.getBackend(),
  };
}
