/**
 * Exports the tfjs encoder to ONNX (opset 17, IR 8), built node by node with onnx-proto. Inputs are the
 * standard BERT ones, `input_ids` and `attention_mask` (int64 [batch, tokens]); outputs `last_hidden_state`
 * [batch, tokens, hidden] and `pooled_embedding` [batch, hidden] (attention-masked mean, the embedding the
 * paper's probes use). Tokenizer settings travel in the model's metadata_props.
 */
import { writeFileAtomic } from '@bioscan5m/core';
import { loadOnnxProto } from '../engines.js';
import { GraphBuilder } from './graph-builder.js';
import type { EncoderConfig } from '../model/config.js';
import type { WeightArrays } from '../model/checkpoint-file.js';

/** Builds the ONNX model bytes for an encoder from its weights (a checkpoint's arrays; no tfjs needed). */
export async function encoderToOnnx(config: EncoderConfig, weights: WeightArrays): Promise<Uint8Array> {
  const onnx = await loadOnnxProto();
  const F32 = onnx.TensorProto.DataType.FLOAT;
  const I64 = onnx.TensorProto.DataType.INT64;
  const g = new GraphBuilder(onnx);
  const W = (name: string) => {
    const v = weights.get(name);
    if (!v) throw new Error(`missing parameter ${name}`);
    return g.floatInit(name, v.data as Float32Array, v.shape);
  };
  const d = config.hidden;
  const dh = d / config.heads;
  const eps = config.layerNormEps;
  const ln = (x: string, p: string) =>
    g.node('LayerNormalization', [x, W(`${p}.gamma`), W(`${p}.beta`)], { axis: -1, epsilon: eps });
  const linear = (x: string, p: string) => g.node('Add', [g.node('MatMul', [x, W(`${p}.w`)]), W(`${p}.b`)]);

  // Embeddings: word + position (positions 0..tokens-1), then LayerNorm.
  const word = g.node('Gather', [W('embeddings.word'), 'input_ids'], { axis: 0 });
  const shape = g.node('Shape', ['input_ids']);
  const seqLen = g.node('Gather', [shape, g.intInit('one_idx', [1])], { axis: 0 });
  const pos = g.node('Slice', [
    W('embeddings.position'),
    g.intInit('zero_1d', [0]),
    seqLen,
    g.intInit('zero_axis', [0]),
  ]);
  let x = ln(g.node('Add', [word, pos]), 'embeddings.ln');

  // Additive attention bias [B, 1, 1, L]: 0 where attended, -10000 on padding.
  const maskF = g.node('Cast', ['attention_mask'], { to: F32 });
  const bias = g.node('Unsqueeze', [
    g.node('Mul', [g.node('Sub', [g.scalar('one_f', 1), maskF]), g.scalar('neg_big', -1e4)]),
    g.intInit('axes_12', [1, 2]),
  ]);
  const headShape = g.intInit('head_shape', [0, 0, config.heads, dh]);
  const mergeShape = g.intInit('merge_shape', [0, 0, d]);
  const splitSizes = g.intInit('qkv_split', [d, d, d]);
  const scale = g.scalar('attn_scale', 1 / Math.sqrt(dh));
  const half = g.scalar('half', 0.5);
  const invSqrt2 = g.scalar('inv_sqrt2', Math.SQRT1_2);
  for (let l = 0; l < config.layers; l++) {
    const p = `layer${l}`;
    const qkv = linear(x, `${p}.qkv`);
    const q = g.fresh('q');
    const k = g.fresh('k');
    const v = g.fresh('v');
    g.nodes.push({
      opType: 'Split',
      input: [qkv, splitSizes],
      output: [q, k, v],
      name: g.fresh('split'),
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 2 }],
    });
    const qh = g.node('Transpose', [g.node('Reshape', [q, headShape])], { perm: [0, 2, 1, 3] });
    const kt = g.node('Transpose', [g.node('Reshape', [k, headShape])], { perm: [0, 2, 3, 1] });
    const vh = g.node('Transpose', [g.node('Reshape', [v, headShape])], { perm: [0, 2, 1, 3] });
    const scores = g.node('Add', [g.node('Mul', [g.node('MatMul', [qh, kt]), scale]), bias]);
    const probs = g.node('Softmax', [scores], { axis: -1 });
    const ctx = g.node('Reshape', [
      g.node('Transpose', [g.node('MatMul', [probs, vh])], { perm: [0, 2, 1, 3] }),
      mergeShape,
    ]);
    x = ln(g.node('Add', [x, linear(ctx, `${p}.attn_out`)]), `${p}.ln1`);
    const h = linear(x, `${p}.ffn_in`);
    const gelu = g.node('Mul', [
      g.node('Mul', [h, half]),
      g.node('Add', [g.node('Erf', [g.node('Mul', [h, invSqrt2])]), g.scalar(`one_f_${l}`, 1)]),
    ]);
    x = ln(g.node('Add', [x, linear(gelu, `${p}.ffn_out`)]), `${p}.ln2`);
  }
  g.node('Identity', [x], {}, 'last_hidden_state');
  // Masked mean pooling.
  const m3 = g.node('Unsqueeze', [maskF, g.intInit('axis_2', [2])]);
  const axis1 = g.intInit('axis_1', [1]);
  const summed = g.node('ReduceSum', [g.node('Mul', [x, m3]), axis1], { keepdims: 0 });
  const count = g.node('Max', [g.node('ReduceSum', [m3, axis1], { keepdims: 0 }), g.scalar('one_min', 1)]);
  g.node('Div', [summed, count], {}, 'pooled_embedding');

  const dim = (p: string) => ({ dimParam: p });
  const tensorType = (elemType: number, dims: { dimParam?: string; dimValue?: number }[]) => ({
    tensorType: { elemType, shape: { dim: dims } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: '@bioscan5m/dna',
    graph: {
      name: 'barcode_encoder',
      node: g.nodes,
      initializer: g.inits,
      input: [
        { name: 'input_ids', type: tensorType(I64, [dim('batch'), dim('tokens')]) },
        { name: 'attention_mask', type: tensorType(I64, [dim('batch'), dim('tokens')]) },
      ],
      output: [
        { name: 'last_hidden_state', type: tensorType(F32, [dim('batch'), dim('tokens'), { dimValue: d }]) },
        { name: 'pooled_embedding', type: tensorType(F32, [dim('batch'), { dimValue: d }]) },
      ],
    },
    metadataProps: [
      { key: 'bioscan5m.k', value: String(config.k) },
      { key: 'bioscan5m.max_len', value: String(config.maxLen) },
      { key: 'bioscan5m.prepend_cls', value: String(config.prependCls ?? false) },
      { key: 'bioscan5m.config', value: JSON.stringify(config) },
    ],
  });
  return onnx.ModelProto.encode(model).finish();
}

export async function exportEncoderOnnx(file: string, config: EncoderConfig, weights: WeightArrays): Promise<void> {
  writeFileAtomic(file, await encoderToOnnx(config, weights));
}
