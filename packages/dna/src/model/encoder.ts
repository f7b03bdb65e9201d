/**
 * A BERT-style transformer encoder (post-LayerNorm, GELU, learned positions) over k-mer tokens, as in
 * BarcodeBERT, built from the wasm-friendly ops in ops.ts. Parameters live in a flat, ordered name -> tf.Variable
 * map so checkpoints, optimizers and the ONNX exporter all see the same names.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@bioscan5m/core';
import { needsSplitKernels } from '../backend.js';
import { fusedSelfAttention } from './fused-attention.js';
import { attention, dense, gatherRows, gelu, layerNorm, maskedMeanPool } from './ops.js';

export { encoderConfig, type EncoderConfig } from './config.js';
import type { EncoderConfig } from './config.js';

export type ParamMap = Map<string, tf.Variable>;

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

/** BERT initialisation: weights N(0, 0.02), biases 0, LayerNorm gamma 1; seeded. */
export function initParams(shapes: [string, number[]][], seed: number, prefix = ''): ParamMap {
  const rng = createRng(seed);
  const params: ParamMap = new Map();
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (name.endsWith('.gamma')) data.fill(1);
    else if (name.endsWith('.b') || name.endsWith('.beta')) data.fill(0);
    else for (let i = 0; i < size; i++) data[i] = 0.02 * rng.normal();
    params.set(
      prefix + name,
      tf.variable(tf.tensor(data, shape), true, `${prefix}${name}_${Math.random().toString(36).slice(2)}`),
    );
  }
  return params;
}

export interface EncoderInput {
  ids: Int32Array;
  attentionMask: Int32Array;
  batch: number;
}

function get(params: ParamMap, name: string): tf.Variable {
  const v = params.get(name);
  if (!v) throw new Error(`missing parameter ${name}`);
  return v;
}

/** Last hidden state, token-major [batch * maxTokens, hidden]. Call inside tf.tidy or variableGrads. */
export function encoderForward(cfg: EncoderConfig, params: ParamMap, input: EncoderInput): tf.Tensor2D {
  const { batch, ids, attentionMask } = input;
  const len = ids.length / batch;
  if (!Number.isInteger(len) || len > cfg.maxTokens)
    throw new RangeError(`expected ${cfg.maxTokens} tokens per sequence, got ${len}`);
  const d = cfg.hidden;
  const eps = cfg.layerNormEps;
  const P = (n: string) => get(params, n);
  const word = gatherRows(P('embeddings.word') as tf.Tensor2D, ids);
  const pos = len === cfg.maxTokens ? P('embeddings.position') : tf.slice(P('embeddings.position'), [0, 0], [len, d]);
  let x = tf.reshape(tf.add(tf.reshape(word, [batch, len, d]), pos), [batch * len, d]) as tf.Tensor2D;
  x = layerNorm(x, P('embeddings.ln.gamma') as tf.Tensor1D, P('embeddings.ln.beta') as tf.Tensor1D, eps);
  let maskBias: tf.Tensor2D | undefined;
  if (!needsSplitKernels()) {
    const bias = new Float32Array(attentionMask.length);
    for (let i = 0; i < bias.length; i++) bias[i] = attentionMask[i] ? 0 : -1e4;
    maskBias = tf.tensor2d(bias, [batch, len]);
  }
  for (let l = 0; l < cfg.layers; l++) {
    const p = `layer${l}.`;
    const qkv = dense(x, P(`${p}qkv.w`) as tf.Tensor2D, P(`${p}qkv.b`) as tf.Tensor1D);
    let ctx: tf.Tensor2D;
    if (needsSplitKernels()) ctx = fusedSelfAttention(qkv, attentionMask, batch, cfg.heads);
    else {
      const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
      ctx = attention(q, k, v, maskBias!, batch, cfg.heads);
    }
    const a = dense(ctx, P(`${p}attn_out.w`) as tf.Tensor2D, P(`${p}attn_out.b`) as tf.Tensor1D);
    x = layerNorm(tf.add(x, a), P(`${p}ln1.gamma`) as tf.Tensor1D, P(`${p}ln1.beta`) as tf.Tensor1D, eps);
    const h = gelu(dense(x, P(`${p}ffn_in.w`) as tf.Tensor2D, P(`${p}ffn_in.b`) as tf.Tensor1D)) as tf.Tensor2D;
    const o = dense(h, P(`${p}ffn_out.w`) as tf.Tensor2D, P(`${p}ffn_out.b`) as tf.Tensor1D);
    x = layerNorm(tf.add(x, o), P(`${p}ln2.gamma`) as tf.Tensor1D, P(`${p}ln2.beta`) as tf.Tensor1D, eps);
  }
  return x;
}

/** Attention-masked mean of the last hidden layer, [batch, hidden]. */
export function encoderPooled(cfg: EncoderConfig, params: ParamMap, input: EncoderInput): tf.Tensor2D {
  return maskedMeanPool(encoderForward(cfg, params, input), input.attentionMask, input.batch);
}

export function disposeParams(params: ParamMap): void {
  for (const v of params.values()) v.dispose();
}
