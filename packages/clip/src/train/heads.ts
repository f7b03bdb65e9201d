/**
 * Projection heads of the aligned space: one Linear(in -> dim) per modality over the frozen encoder features
 * (CLIBD: ViT class token -> Linear(768, 768); BERT mean -> Linear(512, 768)), plus the logit scale.
 * Initialised as PyTorch's nn.Linear (uniform +-1/sqrt(in)), seeded. Parameters are plain Float32Arrays here so
 * that checkpoints, embedding (no tfjs needed) and training share one representation.
 */
import { createRng, type Modality } from '@bioscan5m/core';

export interface HeadShape {
  modality: Modality;
  /** Width of the frozen features. */
  inDim: number;
}

export interface ClipHeads {
  /** Width of the aligned space. */
  dim: number;
  heads: Record<string, { modality: Modality; inDim: number; w: Float32Array; b: Float32Array }>;
  /** log of the logit scale (CLIP's logit_scale parameter). */
  logitScale: number;
}

export const INIT_LOGIT_SCALE = Math.log(1 / 0.07);
/** open_clip clamps the learnable logit scale at 100. */
export const MAX_LOGIT_SCALE = Math.log(100);

export function initHeads(shapes: readonly HeadShape[], dim: number, seed: number): ClipHeads {
  const rng = createRng(seed);
  const heads: ClipHeads['heads'] = {};
  for (const { modality, inDim } of shapes) {
    const bound = 1 / Math.sqrt(inDim);
    const w = Float32Array.from({ length: inDim * dim }, () => (2 * rng.random() - 1) * bound);
    const b = Float32Array.from({ length: dim }, () => (2 * rng.random() - 1) * bound);
    heads[modality] = { modality, inDim, w, b };
  }
  return { dim, heads, logitScale: INIT_LOGIT_SCALE };
}

/** x [rows, inDim] -> x W + b [rows, dim] (W stored [inDim, dim], row-major), in float64 sums. */
export function project(heads: ClipHeads, modality: Modality, x: Float32Array, rows: number): Float32Array {
  const h = heads.heads[modality];
  if (!h) throw new Error(`no ${modality} head`);
  const { inDim, w, b } = h;
  const d = heads.dim;
  const out = new Float32Array(rows * d);
  const acc = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    acc.set(b);
    const xo = r * inDim;
    for (let i = 0; i < inDim; i++) {
      const v = x[xo + i];
      if (v === 0) continue;
      const wo = i * d;
      for (let j = 0; j < d; j++) acc[j] += v * w[wo + j];
    }
    out.set(acc, r * d);
  }
  return out;
}
