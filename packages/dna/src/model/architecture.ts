/**
 * The one definition of the BarcodeBERT-style model (post-LayerNorm BERT encoder over k-mer tokens, learned
 * positions, exact GELU, and the MLM head), written against an abstract set of ops. The tfjs path
 * (encoder.ts / mlm.ts, autodiff by tf.customGrad) and the onnxruntime training path (train/, ONNX graphs with
 * generated backward nodes) both run this function, so they cannot drift apart. No tfjs or ONNX import here.
 */
import type { EncoderConfig } from './config.js';

/**
 * What a backend provides. The batch's inputs (token ids, attention mask, loss positions, labels) are bound in
 * the ops object, since each backend holds them differently (typed arrays, graph inputs).
 */
export interface ModelOps<T> {
  param(name: string): T;
  /** word[ids] + position, token-major [batch * tokens, hidden]. */
  embed(word: T, position: T): T;
  /** x [N, in] · w [in, out] + b [out]. */
  dense(x: T, w: T, b: T): T;
  layerNorm(x: T, gamma: T, beta: T, eps: number): T;
  gelu(x: T): T;
  add(a: T, b: T): T;
  /** Multi-head self-attention over fused q|k|v columns [N, 3 * hidden], padding keys masked -> [N, hidden]. */
  selfAttention(qkv: T, heads: number): T;
  /** The rows the MLM loss covers (the masked positions). */
  lossRows(h: T): T;
  /** Mean softmax cross-entropy of logits against the batch's labels (a scalar). */
  crossEntropy(logits: T): T;
}

/** Last hidden state, token-major [batch * tokens, hidden]. */
export function encoderGraph<T>(cfg: EncoderConfig, ops: ModelOps<T>): T {
  const P = (n: string) => ops.param(n);
  const eps = cfg.layerNormEps;
  let x = ops.layerNorm(
    ops.embed(P('embeddings.word'), P('embeddings.position')),
    P('embeddings.ln.gamma'),
    P('embeddings.ln.beta'),
    eps,
  );
  for (let l = 0; l < cfg.layers; l++) {
    const p = `layer${l}.`;
    const ctx = ops.selfAttention(ops.dense(x, P(`${p}qkv.w`), P(`${p}qkv.b`)), cfg.heads);
    const a = ops.dense(ctx, P(`${p}attn_out.w`), P(`${p}attn_out.b`));
    x = ops.layerNorm(ops.add(x, a), P(`${p}ln1.gamma`), P(`${p}ln1.beta`), eps);
    const h = ops.gelu(ops.dense(x, P(`${p}ffn_in.w`), P(`${p}ffn_in.b`)));
    const o = ops.dense(h, P(`${p}ffn_out.w`), P(`${p}ffn_out.b`));
    x = ops.layerNorm(ops.add(x, o), P(`${p}ln2.gamma`), P(`${p}ln2.beta`), eps);
  }
  return x;
}

/** MLM loss: encoder, then transform + GELU + LayerNorm + decoder on the loss rows, cross-entropy. */
export function mlmLossGraph<T>(cfg: EncoderConfig, ops: ModelOps<T>): T {
  const P = (n: string) => ops.param(n);
  const sel = ops.lossRows(encoderGraph(cfg, ops));
  const t = ops.layerNorm(
    ops.gelu(ops.dense(sel, P('mlm.transform.w'), P('mlm.transform.b'))),
    P('mlm.ln.gamma'),
    P('mlm.ln.beta'),
    cfg.layerNormEps,
  );
  return ops.crossEntropy(ops.dense(t, P('mlm.decoder.w'), P('mlm.decoder.b')));
}
