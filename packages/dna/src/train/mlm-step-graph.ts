/**
 * The forward and backward pass of an MLM training step as one ONNX graph, generated from the shared
 * architecture (model/architecture.ts) by the reverse-mode builder (autodiff.ts). The AdamW update runs on the
 * returned gradients in place (adamw-arrays.ts; measured faster than the same update as ONNX nodes).
 *
 * Inputs: `ids` int64 [N] (N = batch * tokens, token-major), `mask_bias` float [B, 1, 1, tokens] (0 attended,
 * -1e4 padding), `positions` int64 [M] (loss rows), `labels` int64 [M], and each parameter P by its name.
 * Outputs: `loss` (mean cross-entropy over the M rows) and `grad:P`, the gradient of the SUMMED loss (M times
 * the mean's): the 1/M is applied by the optimizer's pass instead of over the [M, vocabulary] logits.
 */
import type { onnx as OnnxTypes } from 'onnx-proto';
import { loadOnnxProto } from '../engines.js';
import { mlmLossGraph, type ModelOps } from '../model/architecture.js';
import type { EncoderConfig } from '../model/config.js';
import { AdGraph } from './autodiff.js';

export interface StepGraphOptions {
  /** Parameter names and shapes (encoder then head), in checkpoint order. */
  params: [string, number[]][];
}

/** ModelOps over an AdGraph: the architecture's ops as ONNX nodes with their backward nodes. */
function onnxModelOps(g: AdGraph, cfg: EncoderConfig): ModelOps<string> {
  const d = cfg.hidden;
  const L = cfg.maxTokens;
  return {
    param: (name) => name,
    embed: (word, position) => {
      const w = g.gatherRows(word, 'ids');
      const sum = g.node('Reshape', [
        g.node('Add', [g.node('Reshape', [w, g.ints([-1, L, d])]), position]),
        g.ints([-1, d]),
      ]);
      return g.record([w, position], sum, (dy, need) => [
        dy,
        need[1]
          ? g.node('ReduceSum', [g.node('Reshape', [dy, g.ints([-1, L, d])]), g.ints([0])], { keepdims: 0 })
          : undefined,
      ]);
    },
    dense: (x, w, b) => g.dense(x, w, b),
    layerNorm: (x, gamma, beta, eps) => g.layerNorm(x, gamma, beta, eps),
    gelu: (x) => g.gelu(x),
    add: (a, b) => g.add(a, b),
    selfAttention: (qkv, heads) => selfAttention(g, qkv, heads, d, L),
    lossRows: (h) => g.gatherRows(h, 'positions'),
    crossEntropy: (logits) => {
      const lsm = g.node('LogSoftmax', [logits], { axis: 1 });
      const labelCol = g.node('Unsqueeze', ['labels', g.ints([1])]);
      const picked = g.node('GatherElements', [lsm, labelCol], { axis: 1 });
      const loss = g.node('Neg', [g.node('ReduceMean', [picked], { keepdims: 0 })]);
      return g.record([logits], loss, (dy) => {
        // d(sum of the rows' losses)/dlogits = softmax - onehot(labels); the -1 at each label is a scatter-add
        // (cheaper than OneHot + Sub over the [M, vocab] logits). dy is the seed (1): the mean's 1/M is left to
        // the optimizer (see the file comment).
        const exp = g.node('Exp', [lsm]);
        const soft = g.isOne(dy) ? exp : g.node('Mul', [exp, dy]);
        const minus = g.node('Expand', [g.node('Neg', [dy]), g.node('Shape', [labelCol])]);
        return [g.node('ScatterElements', [soft, labelCol, minus], { axis: 1, reduction: 'add' })];
      });
    },
  };
}

/** Scaled dot-product attention (layer-graph.ts) with the additive padding mask, and its backward (softmax VJP inline). */
function selfAttention(g: AdGraph, qkv: string, heads: number, d: number, L: number): string {
  const a = g.attention(qkv, heads, d, g.ints([-1, L, heads, d / heads]), 'mask_bias');
  return g.record([qkv], a.ctx, (dctx) => {
    const dO = a.toHeads(dctx);
    const T = (x: string) => g.node('Transpose', [x], { perm: [0, 1, 3, 2] });
    const dP = g.node('MatMul', [dO, T(a.vh)]);
    const dV = g.node('MatMul', [T(a.probs), dO]);
    const rowDot = g.node('ReduceSum', [g.node('Mul', [dP, a.probs]), g.ints([-1])], { keepdims: 1 });
    const dS = g.node('Mul', [g.node('Mul', [a.probs, g.node('Sub', [dP, rowDot])]), a.scale]);
    const dQ = g.node('MatMul', [dS, a.kh]);
    const dK = g.node('MatMul', [T(dS), a.qh]);
    return [g.node('Concat', [a.merge(dQ), a.merge(dK), a.merge(dV)], { axis: 1 })];
  });
}

/** The training-step ONNX model's bytes. */
export async function mlmStepGraph(cfg: EncoderConfig, o: StepGraphOptions): Promise<Uint8Array> {
  const onnx = await loadOnnxProto();
  const F32 = onnx.TensorProto.DataType.FLOAT;
  const I64 = onnx.TensorProto.DataType.INT64;
  const g = new AdGraph(onnx);
  const names = o.params.map(([n]) => g.trainable(n));
  const loss = mlmLossGraph(cfg, onnxModelOps(g, cfg));
  const grads = g.backward(loss, names);
  g.node('Identity', [loss], {}, 'loss');

  type Dim = { dimParam?: string; dimValue?: number };
  const value = (name: string, elemType: number, dims: Dim[]): OnnxTypes.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims } } },
  });
  const fixed = (shape: number[]) => shape.map((dimValue) => ({ dimValue }));
  const inputs = [
    value('ids', I64, [{ dimParam: 'tokens' }]),
    value('mask_bias', F32, [{ dimParam: 'batch' }, { dimValue: 1 }, { dimValue: 1 }, { dimValue: cfg.maxTokens }]),
    value('positions', I64, [{ dimParam: 'rows' }]),
    value('labels', I64, [{ dimParam: 'rows' }]),
  ];
  const outputs = [value('loss', F32, [])];
  for (const [name, shape] of o.params) {
    inputs.push(value(name, F32, fixed(shape)));
    g.node('Identity', [grads.get(name)!], {}, `grad:${name}`);
    outputs.push(value(`grad:${name}`, F32, fixed(shape)));
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: '@bioscan5m/dna',
    graph: { name: 'mlm_train_step', node: g.nodes, initializer: g.inits, input: inputs, output: outputs },
  });
  return onnx.ModelProto.encode(model).finish();
}
