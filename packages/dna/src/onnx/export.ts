/**
 * Exports the encoder to ONNX (opset 17, IR 8): the one architecture definition (model/architecture.ts) run
 * over forward-only ONNX ops (layer-graph.ts), written with onnx-proto. Inputs are the standard BERT ones,
 * `input_ids` and `attention_mask` (int64 [batch, tokens]); outputs `last_hidden_state` [batch, tokens, hidden]
 * and `pooled_embedding` [batch, hidden] (attention-masked mean, the embedding the paper's probes use).
 * Tokenizer settings travel in the model's metadata_props.
 */
import { writeFileAtomic } from '@bioscan5m/core';
import { loadOnnxProto } from '../engines.js';
import { encoderGraph, type ModelOps } from '../model/architecture.js';
import { LayerGraph } from './layer-graph.js';
import type { EncoderConfig } from '../model/config.js';
import type { WeightArrays } from '../model/checkpoint-file.js';

/**
 * The architecture's ops (model/architecture.ts) as forward-only ONNX nodes over the graph inputs `input_ids`
 * and `attention_mask` [batch, tokens] (tokens dynamic); weights become initializers as the graph asks for them.
 */
function inferenceModelOps(g: LayerGraph, cfg: EncoderConfig, weights: WeightArrays, maskF: string): ModelOps<string> {
  const d = cfg.hidden;
  const tokens = g.node('Gather', [g.node('Shape', ['input_ids']), g.ints([1])], { axis: 0 }); // int64 [1]
  const headShape = g.node('Concat', [g.ints([-1]), tokens, g.ints([cfg.heads, d / cfg.heads])], { axis: 0 });
  // Additive attention bias [B, 1, 1, tokens]: 0 where attended, -1e4 on padding (as the training step's).
  const maskBias = g.node('Unsqueeze', [g.node('Mul', [g.node('Sub', [g.f(1), maskF]), g.f(-1e4)]), g.ints([1, 2])]);
  const added = new Set<string>();
  const notForInference = (op: string) => () => {
    throw new Error(`internal error: ${op} is an MLM-loss op; the ONNX inference export builds the encoder only`);
  };
  return {
    param: (name) => {
      if (added.has(name)) return name;
      const v = weights.get(name);
      if (!v) throw new Error(`missing parameter ${name}`);
      added.add(name);
      return g.floatInit(name, v.data as Float32Array, v.shape);
    },
    embed: (word, position) => {
      // word[ids] [B, T, d] + positions 0..T-1 [T, d], then token-major.
      const pos = g.node('Slice', [position, g.ints([0]), tokens, g.ints([0])]);
      const sum = g.node('Add', [g.node('Gather', [word, 'input_ids'], { axis: 0 }), pos]);
      return g.node('Reshape', [sum, g.ints([-1, d])]);
    },
    dense: (x, w, b) => g.dense(x, w, b),
    layerNorm: (x, gamma, beta, eps) => g.layerNorm(x, gamma, beta, eps),
    gelu: (x) => g.gelu(x),
    add: (a, b) => g.add(a, b),
    selfAttention: (qkv, heads) => g.attention(qkv, heads, d, headShape, maskBias).ctx,
    lossRows: notForInference('lossRows'),
    crossEntropy: notForInference('crossEntropy'),
  };
}

/** Builds the ONNX model bytes for an encoder from its weights (a checkpoint's arrays; no tfjs needed). */
export async function encoderToOnnx(config: EncoderConfig, weights: WeightArrays): Promise<Uint8Array> {
  const onnx = await loadOnnxProto();
  const F32 = onnx.TensorProto.DataType.FLOAT;
  const I64 = onnx.TensorProto.DataType.INT64;
  const d = config.hidden;
  const g = new LayerGraph(onnx);
  const maskF = g.node('Cast', ['attention_mask'], { to: F32 });
  const rows = encoderGraph(config, inferenceModelOps(g, config, weights, maskF)); // [B * T, d]
  const x = g.node(
    'Reshape',
    [rows, g.node('Concat', [g.node('Shape', ['input_ids']), g.ints([d])], { axis: 0 })],
    {},
    'last_hidden_state',
  );
  // Masked mean pooling.
  const m3 = g.node('Unsqueeze', [maskF, g.ints([2])]);
  const axis1 = g.ints([1]);
  const summed = g.node('ReduceSum', [g.node('Mul', [x, m3]), axis1], { keepdims: 0 });
  const count = g.node('Max', [g.node('ReduceSum', [m3, axis1], { keepdims: 0 }), g.f(1)]);
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
