/** Cosine 1-nearest-neighbour classification (the paper's unseen-species genus probe). */

function normalizeRows(x: Float32Array, d: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r * d + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) out[r * d + j] = x[r * d + j] * inv;
  }
  return out;
}

export interface NearestResult {
  /** Index into the fitted rows of each query's nearest neighbour. */
  index: Int32Array;
  similarity: Float32Array;
}

/** Exact cosine nearest neighbour of every query row among the key rows (both [n, d]). */
export function cosineNearest(keys: Float32Array, queries: Float32Array, d: number): NearestResult {
  const K = normalizeRows(keys, d);
  const Q = normalizeRows(queries, d);
  const nk = K.length / d;
  const nq = Q.length / d;
  const index = new Int32Array(nq).fill(-1);
  const similarity = new Float32Array(nq).fill(-Infinity);
  for (let q = 0; q < nq; q++) {
    const qo = q * d;
    let best = -Infinity;
    let bi = -1;
    for (let k = 0; k < nk; k++) {
      const ko = k * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += Q[qo + j] * K[ko + j];
      if (s > best) {
        best = s;
        bi = k;
      }
    }
    index[q] = bi;
    similarity[q] = best;
  }
  return { index, similarity };
}

/** Label of the cosine-nearest key for every query. */
export function knnPredict(
  keys: Float32Array,
  keyLabels: readonly string[],
  queries: Float32Array,
  d: number,
): string[] {
  const { index } = cosineNearest(keys, queries, d);
  return Array.from(index, (i) => (i >= 0 ? keyLabels[i] : ''));
}
