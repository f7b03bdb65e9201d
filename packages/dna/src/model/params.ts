/**
 * Parameter names, shapes and their seeded initialisation as plain arrays (no tfjs): the same names and values
 * for the tfjs path, the onnxruntime training path and checkpoints.
 */
import { createRng } from '@bioscan5m/core';
import type { EncoderConfig } from './config.js';
import type { WeightArrays } from './checkpoint-file.js';

/** Shapes of every encoder parameter, in a fixed order. */
export function encoderParamShapes(cfg: EncoderConfig): [string, number[]][] {
  const { hidden: d, intermediate: f } = cfg;
  const out: [string, number[]][] = [
    ['embeddings.word', [cfg.vocabSize, d]],
    ['embeddings.position', [cfg.maxTokens, d]],
    ['embeddings.ln.gamma', [d]],
    ['embeddings.ln.beta', [d]],
  ];
  for (let l = 0; l < cfg.layers; l++) {
    const p = `layer${l}.`;
    out.push(
      [`${p}qkv.w`, [d, 3 * d]],
      [`${p}qkv.b`, [3 * d]],
      [`${p}attn_out.w`, [d, d]],
      [`${p}attn_out.b`, [d]],
      [`${p}ln1.gamma`, [d]],
      [`${p}ln1.beta`, [d]],
      [`${p}ffn_in.w`, [d, f]],
      [`${p}ffn_in.b`, [f]],
      [`${p}ffn_out.w`, [f, d]],
      [`${p}ffn_out.b`, [d]],
      [`${p}ln2.gamma`, [d]],
      [`${p}ln2.beta`, [d]],
    );
  }
  return out;
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

/** BERT initialisation: weights N(0, 0.02), biases 0, LayerNorm gamma 1; seeded (one generator, in order). */
export function initArrays(shapes: [string, number[]][], seed: number, prefix = ''): WeightArrays {
  const rng = createRng(seed);
  const out: WeightArrays = new Map();
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (name.endsWith('.gamma')) data.fill(1);
    else if (name.endsWith('.b') || name.endsWith('.beta')) data.fill(0);
    else for (let i = 0; i < size; i++) data[i] = 0.02 * rng.normal();
    out.set(prefix + name, { data, shape });
  }
  return out;
}
