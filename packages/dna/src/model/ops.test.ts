import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { createRng } from '@bioscan5m/core';
import { dense, gatherRows, gelu, layerNorm, sparseCrossEntropy } from './ops.js';
import { fusedSelfAttention } from './fused-attention.js';

const rnd = (shape: number[], seed: number) => {
  const r = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => r.normal()),
    shape,
  );
};
const close = (a: tf.Tensor, b: tf.Tensor, tol = 1e-4) => {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  expect(worst).toBeLessThan(tol);
};

/** Plain-tfjs attention, differentiated by tfjs autodiff: the reference for the fused op. */
function referenceAttention(qkv: tf.Tensor2D, mask: Int32Array, batch: number, heads: number): tf.Tensor2D {
  const [n, d3] = qkv.shape;
  const d = d3 / 3;
  const L = n / batch;
  const dh = d / heads;
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [batch, L, heads, dh]), [0, 2, 1, 3]));
  const bias = tf.reshape(tf.mul(tf.sub(1, tf.tensor1d(Array.from(mask), 'float32')), -1e4), [batch, 1, 1, L]);
  const p = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), bias));
  return tf.reshape(tf.transpose(tf.matMul(p, v), [0, 2, 1, 3]), [n, d]) as tf.Tensor2D;
}

describe('wasm-friendly ops match tfjs autodiff', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('dense: value and gradients', () => {
    const x = rnd([7, 5], 1) as tf.Tensor2D;
    const w = rnd([5, 3], 2) as tf.Tensor2D;
    const b = rnd([3], 3) as tf.Tensor1D;
    const up = rnd([7, 3], 4);
    const ours = tf.grads((a, c, e) => tf.sum(tf.mul(dense(a as tf.Tensor2D, c as tf.Tensor2D, e as tf.Tensor1D), up)))(
      [x, w, b],
    );
    const ref = tf.grads((a, c, e) => tf.sum(tf.mul(tf.add(tf.matMul(a as tf.Tensor2D, c as tf.Tensor2D), e), up)))([
      x,
      w,
      b,
    ]);
    ours.forEach((g, i) => close(g, ref[i]));
  });

  it('fused self-attention: value and gradient, with padding masked', () => {
    const batch = 3;
    const L = 6;
    const heads = 2;
    const qkv = rnd([batch * L, 3 * 8], 5) as tf.Tensor2D;
    const mask = new Int32Array(batch * L).fill(1);
    mask.fill(0, 4, 6); // sequence 0 has 4 tokens
    mask.fill(0, 2 * L + 1, 3 * L); // sequence 2 has 1 token
    close(fusedSelfAttention(qkv, mask, batch, heads), referenceAttention(qkv, mask, batch, heads), 1e-5);
    const up = rnd([batch * L, 8], 6);
    const g1 = tf.grad((t) => tf.sum(tf.mul(fusedSelfAttention(t as tf.Tensor2D, mask, batch, heads), up)))(qkv);
    const g2 = tf.grad((t) => tf.sum(tf.mul(referenceAttention(t as tf.Tensor2D, mask, batch, heads), up)))(qkv);
    close(g1, g2, 1e-4);
  });

  it('gatherRows: value and scatter-add gradient (repeated ids)', () => {
    const table = rnd([6, 4], 7) as tf.Tensor2D;
    const ids = Int32Array.from([5, 0, 5, 2]);
    const up = rnd([4, 4], 8);
    const ref = (t: tf.Tensor) => tf.matMul(tf.oneHot(tf.tensor1d(ids, 'int32'), 6).toFloat(), t as tf.Tensor2D);
    close(gatherRows(table, ids), ref(table));
    close(
      tf.grad((t) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, ids), up)))(table),
      tf.grad((t) => tf.sum(tf.mul(ref(t), up)))(table),
    );
  });

  it('layerNorm: value and gradients', () => {
    const x = tf.add(tf.mul(rnd([6, 10], 11), 3), 1) as tf.Tensor2D;
    const g = rnd([10], 12) as tf.Tensor1D;
    const b = rnd([10], 13) as tf.Tensor1D;
    const up = rnd([6, 10], 14);
    const ref = (a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), c), e);
    };
    close(layerNorm(x, g, b, 1e-5), ref(x, g, b), 1e-5);
    const ours = tf.grads((a, c, e) =>
      tf.sum(tf.mul(layerNorm(a as tf.Tensor2D, c as tf.Tensor1D, e as tf.Tensor1D, 1e-5), up)),
    )([x, g, b]);
    const theirs = tf.grads((a, c, e) => tf.sum(tf.mul(ref(a, c, e), up)))([x, g, b]);
    ours.forEach((t, i) => close(t, theirs[i], 1e-4));
  });

  it('gelu (erf form): value and gradient', () => {
    const x = tf.mul(rnd([50], 9), 3);
    const ref = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(tf.erf(tf.mul(t, Math.SQRT1_2)), 1));
    close(gelu(x), ref(x), 1e-6);
    close(tf.grad((t) => tf.sum(tf.mul(gelu(t), t)))(x), tf.grad((t) => tf.sum(tf.mul(ref(t), t)))(x), 1e-5);
  });

  it('sparse cross-entropy: value and gradient', () => {
    const z = tf.mul(rnd([5, 9], 10), 4) as tf.Tensor2D;
    const labels = Int32Array.from([0, 8, 3, 3, 1]);
    const oh = tf.oneHot(tf.tensor1d(labels, 'int32'), 9);
    const ref = (t: tf.Tensor) => tf.losses.softmaxCrossEntropy(oh, t as tf.Tensor2D);
    close(sparseCrossEntropy(z, labels), ref(z), 1e-6);
    close(
      tf.grad((t) => sparseCrossEntropy(t as tf.Tensor2D, labels))(z),
      tf.grad((t) => ref(t) as tf.Scalar)(z),
      1e-5,
    );
  });
});
