/**
 * A BERT-style transformer encoder (post-LayerNorm, GELU, learned positions) over k-mer tokens, as in
 * BarcodeBERT, built from the wasm-friendly ops in ops.ts. Parameters live in a flat, ordered name -> tf.Variable
 * map so checkpoints, optimizers and the ONNX exporter all see the same names.
 */
import * as tf from '@tensorflow/tfjs';
import { initArrays } from './params.js';
import type { WeightArrays } from './checkpoint-file.js';
import { needsSplitKernels } from '../backend.js';
import { fusedSelfAttention } from './fused-attention.js';
import { encoderGraph, type ModelOps } from './architecture.js';
import { attention, dense, gatherRows, gelu, layerNorm, maskedMeanPool, sparseCrossEntropy } from './ops.js';

export { encoderConfig, type EncoderConfig } from './config.js';
import type { EncoderConfig } from './config.js';

export type ParamMap = Map<string, tf.Variable>;

export { encoderParamShapes } from './params.js';

/** BERT initialisation (initArrays) as tfjs variables. */
export function initParams(shapes: [string, number[]][], seed: number, prefix = ''): ParamMap {
  return arraysToVariables(initArrays(shapes, seed, prefix));
}

/** Plain arrays as trainable tfjs variables (unique variable names, so two models never collide). */
export function arraysToVariables(arrays: WeightArrays, group = ''): ParamMap {
  const params: ParamMap = new Map();
  for (const [name, t] of arrays) {
    const tensor = tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32');
    params.set(name, tf.variable(tensor, true, `${group}${name}_${Math.random().toString(36).slice(2)}`));
    tensor.dispose();
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

/**
 * The tfjs ops of the shared architecture (architecture.ts) for one batch; `rows`/`labels` bind the MLM loss
 * rows when the loss is taken. Call inside tf.tidy or variableGrads.
 */
export function tfjsModelOps(
  cfg: EncoderConfig,
  params: ParamMap,
  input: EncoderInput,
  loss?: { rows: Int32Array; labels: Int32Array },
): ModelOps<tf.Tensor> {
  const { batch, ids, attentionMask } = input;
  const len = ids.length / batch;
  if (!Number.isInteger(len) || len > cfg.maxTokens)
    throw new RangeError(`expected ${cfg.maxTokens} tokens per sequence, got ${len}`);
  const d = cfg.hidden;
  let maskBias: tf.Tensor2D | undefined;
  return {
    param: (n) => get(params, n),
    embed: (word, position) => {
      const w = gatherRows(word as tf.Tensor2D, ids);
      const pos = len === cfg.maxTokens ? position : tf.slice(position, [0, 0], [len, d]);
      return tf.reshape(tf.add(tf.reshape(w, [batch, len, d]), pos), [batch * len, d]);
    },
    dense: (x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
    layerNorm: (x, g, b, eps) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, eps),
    gelu: (x) => gelu(x),
    add: (a, b) => tf.add(a, b),
    selfAttention: (qkv, heads) => {
      if (needsSplitKernels()) return fusedSelfAttention(qkv as tf.Tensor2D, attentionMask, batch, heads);
      if (!maskBias) {
        const bias = new Float32Array(attentionMask.length);
        for (let i = 0; i < bias.length; i++) bias[i] = attentionMask[i] ? 0 : -1e4;
        maskBias = tf.tensor2d(bias, [batch, len]);
      }
      const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
      return attention(q, k, v, maskBias, batch, heads);
    },
    lossRows: (h) => gatherRows(h as tf.Tensor2D, need(loss).rows),
    crossEntropy: (logits) => sparseCrossEntropy(logits as tf.Tensor2D, need(loss).labels),
  };
}

function need<T>(x: T | undefined): T {
  if (!x) throw new Error('the MLM loss needs its rows and labels');
  return x;
}

/** Last hidden state, token-major [batch * maxTokens, hidden]. Call inside tf.tidy or variableGrads. */
export function encoderForward(cfg: EncoderConfig, params: ParamMap, input: EncoderInput): tf.Tensor2D {
  return encoderGraph(cfg, tfjsModelOps(cfg, params, input)) as tf.Tensor2D;
}

/** Attention-masked mean of the last hidden layer, [batch, hidden]. */
export function encoderPooled(cfg: EncoderConfig, params: ParamMap, input: EncoderInput): tf.Tensor2D {
  return maskedMeanPool(encoderForward(cfg, params, input), input.attentionMask, input.batch);
}

export function disposeParams(params: ParamMap): void {
  for (const v of params.values()) v.dispose();
}
