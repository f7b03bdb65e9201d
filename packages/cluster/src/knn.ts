/**
 * Exact k-nearest neighbours (Euclidean) for UMAP's graph: every pair once (the distance matrix is symmetric),
 * a bounded max-heap per row. Exact and deterministic; used instead of umap-js's approximate NN-descent while
 * n^2 d stays small enough to be the faster of the two.
 */
import type { Matrix } from './matrix.js';

export interface KnnGraph {
  /** Per row: its k nearest rows (itself first, at distance 0), nearest first. */
  indices: number[][];
  distances: number[][];
}

export function exactKnn(x: Matrix, k: number, onProgress?: (done: number, total: number) => void): KnnGraph {
  const { rows: n, dim: d } = x;
  const data = x.data instanceof Float64Array ? x.data : Float64Array.from(x.data);
  const kk = Math.min(k, n);
  // Row i's heap: heapD/heapI[i*kk .. i*kk+kk), a max-heap on squared distance; size in cnt[i].
  const heapD = new Float64Array(n * kk);
  const heapI = new Int32Array(n * kk);
  const cnt = new Int32Array(n);
  const push = (i: number, j: number, dist: number) => {
    const o = i * kk;
    let c = cnt[i];
    if (c < kk) {
      // sift up
      let p = c;
      cnt[i] = c + 1;
      while (p > 0) {
        const parent = (p - 1) >> 1;
        if (heapD[o + parent] >= dist) break;
        heapD[o + p] = heapD[o + parent];
        heapI[o + p] = heapI[o + parent];
        p = parent;
      }
      heapD[o + p] = dist;
      heapI[o + p] = j;
      return;
    }
    if (dist >= heapD[o]) return;
    // replace the root and sift down
    c = kk;
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= c) break;
      const r = l + 1;
      const m = r < c && heapD[o + r] > heapD[o + l] ? r : l;
      if (heapD[o + m] <= dist) break;
      heapD[o + p] = heapD[o + m];
      heapI[o + p] = heapI[o + m];
      p = m;
    }
    heapD[o + p] = dist;
    heapI[o + p] = j;
  };
  for (let i = 0; i < n; i++) {
    push(i, i, 0);
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      let acc = 0;
      for (let q = 0; q < d; q++) {
        const t = data[oi + q] - data[oj + q];
        acc += t * t;
      }
      if (cnt[i] < kk || acc < heapD[i * kk]) push(i, j, acc);
      if (cnt[j] < kk || acc < heapD[j * kk]) push(j, i, acc);
    }
    if (onProgress && (i & 255) === 255) onProgress(i + 1, n);
  }
  const indices: number[][] = new Array(n);
  const distances: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * kk;
    const pairs = Array.from({ length: cnt[i] }, (_, t) => [heapD[o + t], heapI[o + t]] as const);
    // Nearest first; self (distance 0) before any duplicate point.
    pairs.sort((a, b) => a[0] - b[0] || (a[1] === i ? -1 : b[1] === i ? 1 : a[1] - b[1]));
    indices[i] = pairs.map((p) => p[1]);
    distances[i] = pairs.map((p) => Math.sqrt(p[0]));
  }
  return { indices, distances };
}
