/**
 * The masked batches of MLM pretraining (no tfjs): every random draw of step s comes from a generator seeded by
 * (seed, s), so both training paths, and a run resumed at step s, see the same batches.
 */
import { createRng } from '@bioscan5m/core';
import { createKmerTokenizer, MASK_ID } from '../tokenizer/kmer.js';
import type { EncoderConfig } from './config.js';

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
