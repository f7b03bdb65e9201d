/**
 * Multi-head self-attention from a fused QKV projection, for backends where batched matMul is slow (wasm: a
 * naive loop at ~1 GFLOP/s) and SplitV/Exp are slow too. Heads are laid out in JS typed arrays; each
 * (sequence, head) product is one plain 2-D matMul (XNNPACK); softmax and its gradient run in JS. Forward and
 * backward are written out explicitly (tf.customGrad), so no batched or transposed matMul is ever issued.
 */
import * as tf from '@tensorflow/tfjs';
import { fastExp } from './fast-exp.js';

type GradResult = { value: tf.Tensor; gradFunc: (dy: tf.Tensor) => tf.Tensor };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const customGrad = tf.customGrad as unknown as (f: (...args: any[]) => GradResult) => (...xs: tf.Tensor[]) => tf.Tensor;

/** out[s] = a[s] [m, k] · b[s] [k, p] for every slice s, through tfjs 2-D matMul. */
function sliceMatMul(a: Float32Array, b: Float32Array, slices: number, m: number, k: number, p: number): Float32Array {
  const out = new Float32Array(slices * m * p);
  for (let s = 0; s < slices; s++) {
    const r = tf.tidy(() =>
      tf.matMul(
        tf.tensor2d(a.subarray(s * m * k, (s + 1) * m * k), [m, k]),
        tf.tensor2d(b.subarray(s * k * p, (s + 1) * k * p), [k, p]),
      ),
    );
    out.set(r.dataSync() as Float32Array, s * m * p);
    r.dispose();
  }
  return out;
}

/** Per-slice transpose [s, r, c] -> [s, c, r]. */
function transposeSlices(x: Float32Array, slices: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let s = 0; s < slices; s++) {
    const o = s * rows * cols;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[o + j * rows + i] = x[o + i * cols + j];
  }
  return out;
}

/**
 * qkv [B*L, 3D] (columns: Q | K | V, head h at h*dh within each) and keyMask [B*L] (1 attended, 0 padding)
 * -> context [B*L, D].
 */
export function fusedSelfAttention(qkv: tf.Tensor2D, keyMask: Int32Array, batch: number, heads: number): tf.Tensor2D {
  const [n, d3] = qkv.shape;
  const d = d3 / 3;
  const L = n / batch;
  const dh = d / heads;
  const S = batch * heads;
  const scale = 1 / Math.sqrt(dh);
  const f = customGrad((x: tf.Tensor) => {
    const X = x.dataSync() as Float32Array;
    // Head-major copies: Q, K, V as [S, L, dh].
    const Q = new Float32Array(S * L * dh);
    const K = new Float32Array(S * L * dh);
    const V = new Float32Array(S * L * dh);
    for (let b = 0; b < batch; b++)
      for (let t = 0; t < L; t++) {
        const row = (b * L + t) * d3;
        for (let h = 0; h < heads; h++) {
          const dst = ((b * heads + h) * L + t) * dh;
          const c = h * dh;
          for (let j = 0; j < dh; j++) {
            Q[dst + j] = X[row + c + j];
            K[dst + j] = X[row + d + c + j];
            V[dst + j] = X[row + 2 * d + c + j];
          }
        }
      }
    const KT = transposeSlices(K, S, L, dh);
    const P = sliceMatMul(Q, KT, S, L, dh, L);
    // Scale, mask and softmax each row in place.
    for (let s = 0; s < S; s++) {
      const b = Math.floor(s / heads);
      for (let i = 0; i < L; i++) {
        const o = (s * L + i) * L;
        let mx = -Infinity;
        for (let j = 0; j < L; j++) {
          const v = P[o + j] * scale + (keyMask[b * L + j] ? 0 : -1e4);
          P[o + j] = v;
          if (v > mx) mx = v;
        }
        let sum = 0;
        for (let j = 0; j < L; j++) {
          const e = fastExp(P[o + j] - mx);
          P[o + j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let j = 0; j < L; j++) P[o + j] *= inv;
      }
    }
    const O = sliceMatMul(P, V, S, L, L, dh);
    const out = new Float32Array(n * d);
    for (let b = 0; b < batch; b++)
      for (let h = 0; h < heads; h++)
        for (let t = 0; t < L; t++)
          out.set(
            O.subarray(((b * heads + h) * L + t) * dh, ((b * heads + h) * L + t + 1) * dh),
            (b * L + t) * d + h * dh,
          );
    return {
      value: tf.tensor2d(out, [n, d]),
      gradFunc: (dy: tf.Tensor) => {
        const G = dy.dataSync() as Float32Array;
        const dO = new Float32Array(S * L * dh);
        for (let b = 0; b < batch; b++)
          for (let h = 0; h < heads; h++)
            for (let t = 0; t < L; t++)
              dO.set(
                G.subarray((b * L + t) * d + h * dh, (b * L + t) * d + (h + 1) * dh),
                ((b * heads + h) * L + t) * dh,
              );
        const dP = sliceMatMul(dO, transposeSlices(V, S, L, dh), S, L, dh, L);
        const dV = sliceMatMul(transposeSlices(P, S, L, L), dO, S, L, L, dh);
        // dS = P * (dP - rowsum(dP * P)) * scale, in place in dP.
        for (let r = 0; r < S * L; r++) {
          const o = r * L;
          let dot = 0;
          for (let j = 0; j < L; j++) dot += dP[o + j] * P[o + j];
          for (let j = 0; j < L; j++) dP[o + j] = P[o + j] * (dP[o + j] - dot) * scale;
        }
        const dQ = sliceMatMul(dP, K, S, L, L, dh);
        const dK = sliceMatMul(transposeSlices(dP, S, L, L), Q, S, L, L, dh);
        const grad = new Float32Array(n * d3);
        for (let b = 0; b < batch; b++)
          for (let h = 0; h < heads; h++)
            for (let t = 0; t < L; t++) {
              const src = ((b * heads + h) * L + t) * dh;
              const row = (b * L + t) * d3 + h * dh;
              grad.set(dQ.subarray(src, src + dh), row);
              grad.set(dK.subarray(src, src + dh), row + d);
              grad.set(dV.subarray(src, src + dh), row + 2 * d);
            }
        return tf.tensor2d(grad, [n, d3]);
      },
    };
  });
  return f(qkv) as tf.Tensor2D;
}
