/**
 * Differentiable building blocks written for the wasm backend. There, transposed and batched matMuls run
 * 10-40x slower than a plain 2-D matMul (XNNPACK), and the gradient of gather (UnsortedSegmentSum) is missing,
 * so tfjs autodiff of a transformer is slow or fails. Each op here has a tf.customGrad whose backward pass uses
 * only explicit tf.transpose + plain 2-D matMul, or a scatter-add in JS.
 */
import * as tf from '@tensorflow/tfjs';
import { needsSplitKernels } from '../backend.js';
import { fastExp } from './fast-exp.js';

type Saver = (tensors: tf.Tensor[]) => void;
type GradResult = { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };
// tf.customGrad's typing cannot express "n tensors then a save function"; this narrows it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const customGrad = tf.customGrad as unknown as (f: (...args: any[]) => GradResult) => (...xs: tf.Tensor[]) => tf.Tensor;

/**
 * dW = xᵀ·dy for x [N, in], dy [N, out]. XNNPACK is ~2x faster when the left operand has more rows, so the
 * product is taken as (dyᵀ·x)ᵀ when out > in (explicit transposes; transposed matMul flags are slow on wasm).
 */
function weightGrad(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  if (dy.shape[1] > x.shape[1]) return tf.transpose(tf.matMul(tf.transpose(dy), x));
  return tf.matMul(tf.transpose(x), dy);
}

/** Column sums of dy [N, out] in JS (wasm's Sum over axis 0 is a strided scalar loop). */
function biasGrad(dy: tf.Tensor2D): tf.Tensor1D {
  const [n, c] = dy.shape;
  const g = dy.dataSync() as Float32Array;
  const acc = new Float64Array(c);
  for (let r = 0; r < n; r++) {
    const o = r * c;
    for (let j = 0; j < c; j++) acc[j] += g[o + j];
  }
  return tf.tensor1d(Float32Array.from(acc));
}

/** x [N, in] · W [in, out] + b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (b) {
    const f = customGrad((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor, save: Saver) => {
      save([xx, ww]);
      return {
        value: tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), bb),
        gradFunc: (dy, saved) => {
          const [sx, sw] = saved as tf.Tensor2D[];
          const d = dy as tf.Tensor2D;
          return [tf.matMul(d, tf.transpose(sw)), weightGrad(sx, d), biasGrad(d)];
        },
      };
    });
    return f(x, w, b) as tf.Tensor2D;
  }
  const f = customGrad((xx: tf.Tensor, ww: tf.Tensor, save: Saver) => {
    save([xx, ww]);
    return {
      value: tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as tf.Tensor2D[];
        const d = dy as tf.Tensor2D;
        return [tf.matMul(d, tf.transpose(sw)), weightGrad(sx, d)];
      },
    };
  });
  return f(x, w) as tf.Tensor2D;
}

/**
 * Batched a [n, m, k] · b [n, k, p]. On wasm the batched kernel is a naive loop (~1.2 GFLOP/s); n separate
 * 2-D matMuls on slices copied out of the batch run ~3x faster, so that is what happens there.
 */
export function bmmForward(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (!needsSplitKernels()) return tf.matMul(a, b);
  const [n, m, k] = a.shape;
  const p = b.shape[2];
  return tf.tidy(() => {
    const A = a.dataSync() as Float32Array;
    const B = b.dataSync() as Float32Array;
    const outs: tf.Tensor2D[] = [];
    for (let i = 0; i < n; i++) {
      const ai = tf.tensor2d(A.subarray(i * m * k, (i + 1) * m * k), [m, k]);
      const bi = tf.tensor2d(B.subarray(i * k * p, (i + 1) * k * p), [k, p]);
      outs.push(tf.matMul(ai, bi));
    }
    return tf.reshape(tf.concat(outs, 0), [n, m, p]) as tf.Tensor3D;
  });
}

export function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const f = customGrad((aa: tf.Tensor, bb: tf.Tensor, save: Saver) => {
    save([aa, bb]);
    return {
      value: bmmForward(aa as tf.Tensor3D, bb as tf.Tensor3D),
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved as tf.Tensor3D[];
        const d = dy as tf.Tensor3D;
        return [bmmForward(d, tf.transpose(sb, [0, 2, 1])), bmmForward(tf.transpose(sa, [0, 2, 1]), d)];
      },
    };
  });
  return f(a, b) as tf.Tensor3D;
}

/**
 * Rows `ids` of `table` [V, D]. Both directions run in JS: the gradient (a scatter-add, UnsortedSegmentSum) is
 * missing on wasm, and wasm's GatherV2 is slower than a typed-array copy.
 */
export function gatherRows(table: tf.Tensor2D, ids: Int32Array): tf.Tensor2D {
  const [v, d] = table.shape;
  const f = customGrad((t: tf.Tensor) => {
    const src = t.dataSync() as Float32Array;
    const out = new Float32Array(ids.length * d);
    for (let r = 0; r < ids.length; r++) out.set(src.subarray(ids[r] * d, ids[r] * d + d), r * d);
    return {
      value: tf.tensor2d(out, [ids.length, d]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const acc = new Float32Array(v * d);
        for (let r = 0; r < ids.length; r++) {
          const dst = ids[r] * d;
          const so = r * d;
          for (let j = 0; j < d; j++) acc[dst + j] += g[so + j];
        }
        return tf.tensor2d(acc, [v, d]);
      },
    };
  });
  return f(table) as tf.Tensor2D;
}

/**
 * Layer normalisation over the last axis, forward and backward in JS: tfjs autodiff of moments() issues ~20
 * scalar wasm kernels per call.
 */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  const [n, d] = x.shape;
  const f = customGrad((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
    const X = xx.dataSync() as Float32Array;
    const G = gg.dataSync() as Float32Array;
    const B = bb.dataSync() as Float32Array;
    const xhat = new Float32Array(n * d);
    const rstd = new Float32Array(n);
    const out = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      const o = r * d;
      let mean = 0;
      for (let j = 0; j < d; j++) mean += X[o + j];
      mean /= d;
      let v = 0;
      for (let j = 0; j < d; j++) {
        const c = X[o + j] - mean;
        v += c * c;
      }
      const rs = 1 / Math.sqrt(v / d + eps);
      rstd[r] = rs;
      for (let j = 0; j < d; j++) {
        const h = (X[o + j] - mean) * rs;
        xhat[o + j] = h;
        out[o + j] = h * G[j] + B[j];
      }
    }
    return {
      value: tf.tensor2d(out, [n, d]),
      gradFunc: (dy: tf.Tensor) => {
        const D = dy.dataSync() as Float32Array;
        const dx = new Float32Array(n * d);
        const dg = new Float64Array(d);
        const db = new Float64Array(d);
        for (let r = 0; r < n; r++) {
          const o = r * d;
          let m1 = 0;
          let m2 = 0;
          for (let j = 0; j < d; j++) {
            const g = D[o + j];
            const h = xhat[o + j];
            dg[j] += g * h;
            db[j] += g;
            const dh = g * G[j];
            m1 += dh;
            m2 += dh * h;
          }
          m1 /= d;
          m2 /= d;
          const rs = rstd[r];
          for (let j = 0; j < d; j++) dx[o + j] = rs * (D[o + j] * G[j] - m1 - xhat[o + j] * m2);
        }
        return [tf.tensor2d(dx, [n, d]), tf.tensor1d(Float32Array.from(dg)), tf.tensor1d(Float32Array.from(db))];
      },
    };
  });
  return f(x, gamma, beta) as tf.Tensor2D;
}

// wasm's Erf/Exp kernels are scalar and slow, so GELU runs in JS.
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Exact (erf) GELU, as BERT and PyTorch's nn.GELU use; value and derivative in one JS pass. */
export function gelu(x: tf.Tensor): tf.Tensor {
  const f = customGrad((xx: tf.Tensor) => {
    const src = xx.dataSync() as Float32Array;
    const out = new Float32Array(src.length);
    const der = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      // erf(|v|/sqrt2) by Abramowitz & Stegun 7.1.26; its exp(-v²/2) is also the Gaussian density's.
      const e = fastExp(-0.5 * v * v);
      const a = Math.abs(v) * Math.SQRT1_2;
      const t = 1 / (1 + 0.3275911 * a);
      const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * e;
      const cdf = 0.5 * (1 + (v < 0 ? -y : y));
      out[i] = v * cdf;
      der[i] = cdf + v * INV_SQRT_2PI * e;
    }
    return { value: tf.tensor(out, xx.shape), gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor(der, xx.shape)) };
  });
  return f(x);
}

/**
 * Mean softmax cross-entropy of logits [M, C] against integer labels (optionally weighted); computed in JS in
 * one pass that also forms the gradient (softmax - onehot) / M, since exp over M x vocab on wasm is slow.
 */
export function sparseCrossEntropy(logits: tf.Tensor2D, labels: Int32Array, weights?: Float32Array): tf.Scalar {
  const [m, c] = logits.shape;
  const f = customGrad((z: tf.Tensor) => {
    const src = z.dataSync() as Float32Array;
    const grad = new Float32Array(m * c);
    let wsum = 0;
    for (let i = 0; i < m; i++) wsum += weights ? weights[i] : 1;
    const denom = Math.max(wsum, 1e-12);
    let loss = 0;
    for (let i = 0; i < m; i++) {
      const w = weights ? weights[i] : 1;
      const o = i * c;
      let mx = -Infinity;
      for (let j = 0; j < c; j++) if (src[o + j] > mx) mx = src[o + j];
      let sum = 0;
      for (let j = 0; j < c; j++) {
        const e = fastExp(src[o + j] - mx);
        grad[o + j] = e;
        sum += e;
      }
      const lse = mx + Math.log(sum);
      loss += w * (lse - src[o + labels[i]]);
      const scale = w / (sum * denom);
      for (let j = 0; j < c; j++) grad[o + j] *= scale;
      grad[o + labels[i]] -= w / denom;
    }
    return { value: tf.scalar(loss / denom), gradFunc: (dy: tf.Tensor) => tf.mul(tf.tensor2d(grad, [m, c]), dy) };
  });
  return f(logits) as tf.Scalar;
}

/**
 * Multi-head self-attention core on token-major inputs q, k, v [B*L, D]; maskBias [B, L] holds 0 for attended
 * keys and a large negative number for padding. Returns [B*L, D].
 */
export function attention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  maskBias: tf.Tensor2D,
  batch: number,
  heads: number,
): tf.Tensor2D {
  const [n, d] = q.shape;
  const len = n / batch;
  const dh = d / heads;
  const bh = batch * heads;
  const qh = tf.reshape(tf.transpose(tf.reshape(q, [batch, len, heads, dh]), [0, 2, 1, 3]), [
    bh,
    len,
    dh,
  ]) as tf.Tensor3D;
  const kt = tf.reshape(tf.transpose(tf.reshape(k, [batch, len, heads, dh]), [0, 2, 3, 1]), [
    bh,
    dh,
    len,
  ]) as tf.Tensor3D;
  const vh = tf.reshape(tf.transpose(tf.reshape(v, [batch, len, heads, dh]), [0, 2, 1, 3]), [
    bh,
    len,
    dh,
  ]) as tf.Tensor3D;
  const scores = tf.mul(tf.reshape(bmm(qh, kt), [batch, heads, len, len]), 1 / Math.sqrt(dh));
  const probs = tf.softmax(tf.add(scores, tf.reshape(maskBias, [batch, 1, 1, len])));
  const ctx = bmm(tf.reshape(probs, [bh, len, len]) as tf.Tensor3D, vh);
  return tf.reshape(tf.transpose(tf.reshape(ctx, [batch, heads, len, dh]), [0, 2, 1, 3]), [n, d]) as tf.Tensor2D;
}

/** Attention-masked mean over tokens: h [B*L, D], mask [B*L] (0/1) -> [B, D]. */
export function maskedMeanPool(h: tf.Tensor2D, mask: Int32Array, batch: number): tf.Tensor2D {
  const [n, d] = h.shape;
  const len = n / batch;
  const m = new Float32Array(n);
  const counts = new Float32Array(batch);
  for (let i = 0; i < n; i++) {
    m[i] = mask[i];
    counts[Math.floor(i / len)] += mask[i];
  }
  for (let b = 0; b < batch; b++) counts[b] = 1 / Math.max(counts[b], 1);
  const summed = tf.sum(tf.mul(tf.reshape(h, [batch, len, d]), tf.tensor3d(m, [batch, len, 1])), 1);
  return tf.mul(summed, tf.tensor2d(counts, [batch, 1])) as tf.Tensor2D;
}
