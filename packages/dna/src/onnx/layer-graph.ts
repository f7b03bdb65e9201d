/**
 * The encoder's forward node patterns (dense, LayerNorm, exact GELU, masked self-attention) over GraphBuilder.
 * The inference export (export.ts) uses them as they are; the training step's AdGraph (train/autodiff.ts)
 * extends this class and records a backward pass for each, so both emit the same forward nodes.
 */
import { GraphBuilder } from './graph-builder.js';

/** Self-attention's output and the intermediates its backward pass reuses. */
export interface AttentionNodes {
  /** Context, token-major [N, hidden]. */
  ctx: string;
  /** Per-head q, k, v [B, heads, tokens, hidden/heads], and the softmax [B, heads, tokens, tokens]. */
  qh: string;
  kh: string;
  vh: string;
  probs: string;
  /** The scalar 1/sqrt(hidden/heads). */
  scale: string;
  /** Token-major [N, hidden] -> [B, heads, tokens, hidden/heads]. */
  toHeads(x: string): string;
  /** [B, heads, tokens, hidden/heads] -> token-major [N, hidden]. */
  merge(x: string): string;
}

export class LayerGraph extends GraphBuilder {
  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }

  /** x [N, in] · w [in, out] + b [out], one Gemm. */
  dense(x: string, w: string, b: string): string {
    return this.node('Gemm', [x, w, b]);
  }

  /** LayerNormalization over the last axis. */
  layerNorm(x: string, gamma: string, beta: string, eps: number): string {
    return this.node('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: eps });
  }

  /** LayerNormalization with its saved mean and inverse deviation: [y, mean, invStdDev]. */
  layerNormWithStats(x: string, gamma: string, beta: string, eps: number): string[] {
    return this.nodeN('LayerNormalization', [x, gamma, beta], 3, { axis: -1, epsilon: eps });
  }

  /** Φ(x), the standard normal CDF, by Erf. */
  normalCdf(x: string): string {
    return this.node('Mul', [
      this.node('Add', [this.node('Erf', [this.node('Mul', [x, this.f(Math.SQRT1_2)])]), this.f(1)]),
      this.f(0.5),
    ]);
  }

  /** Exact GELU x·Φ(x). */
  gelu(x: string): string {
    return this.node('Mul', [x, this.normalCdf(x)]);
  }

  /**
   * Multi-head scaled dot-product attention over fused q|k|v columns [N, 3 * hidden], with the additive
   * padding bias `maskBias` [B, 1, 1, tokens] (0 attended, -1e4 padding). `headShape` is an int64 [4] value,
   * [-1, tokens, heads, hidden/heads] (a constant for fixed tokens, computed for dynamic ones).
   */
  attention(qkv: string, heads: number, hidden: number, headShape: string, maskBias: string): AttentionNodes {
    const scale = this.f(1 / Math.sqrt(hidden / heads));
    const [q, k, v] = this.nodeN('Split', [qkv, this.ints([hidden, hidden, hidden])], 3, { axis: 1 });
    const toHeads = (x: string) =>
      this.node('Transpose', [this.node('Reshape', [x, headShape])], { perm: [0, 2, 1, 3] });
    const merge = (x: string) =>
      this.node('Reshape', [this.node('Transpose', [x], { perm: [0, 2, 1, 3] }), this.ints([-1, hidden])]);
    const qh = toHeads(q);
    const kh = toHeads(k);
    const vh = toHeads(v);
    const kt = this.node('Transpose', [kh], { perm: [0, 1, 3, 2] });
    const scores = this.node('Add', [this.node('Mul', [this.node('MatMul', [qh, kt]), scale]), maskBias]);
    const probs = this.node('Softmax', [scores], { axis: -1 });
    const ctx = merge(this.node('MatMul', [probs, vh]));
    return { ctx, qh, kh, vh, probs, scale, toHeads, merge };
  }
}
