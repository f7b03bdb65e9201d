/** L2 normalisation of embedding rows, as sklearn.preprocessing.normalize(norm="l2") before faiss IndexFlatIP. */
import type { Embeddings } from '@bioscan5m/core';

/**
 * Returns a copy of `e` with every row scaled to unit L2 norm. The norm is accumulated in float64 and the scaled
 * values rounded to float32. An all-zero row stays zero (sklearn's rule).
 */
export function l2Normalize(e: Embeddings): Embeddings {
  return l2NormalizeInPlace({ rows: e.rows, dim: e.dim, data: Float32Array.from(e.data) });
}

/** l2Normalize without the copy, for key sets too large to hold twice. */
export function l2NormalizeInPlace(e: Embeddings): Embeddings {
  const { rows, dim, data } = e;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[o + j] * data[o + j];
    const norm = Math.sqrt(s);
    if (norm === 0) continue;
    for (let j = 0; j < dim; j++) data[o + j] = data[o + j] / norm;
  }
  return e;
}
