/**
 * Built-in exact inner-product search. Hand-written (no npm vector index is exact, installable everywhere and
 * streaming): queries are taken in blocks, keys in cache-sized blocks, and each 4-query x 4-key tile is one
 * register-blocked loop whose float64 sums feed a top-k heap per query. Memory beyond the keys is O(block x k):
 * no score matrix. Scores are summed in float64 in index order, so a result never depends on the blocking.
 */
import { Bioscan5mError, UsageError, type Embeddings, type JobControl } from '@bioscan5m/core';
import type { SearchHits, SearchIndex } from './search-index.js';
import { TopK } from './topk.js';

/** Queries per block: the unit of progress and cancellation. */
const QUERY_BLOCK = 64;
/** Keys per block: 256 keys x 768 dims x 4 bytes stays within a typical L2 cache. */
const KEY_BLOCK = 256;

export class ExactSearchIndex implements SearchIndex {
  readonly backend = 'exact' as const;
  readonly dim: number;
  readonly size: number;
  private keys: Float32Array | null;

  /** Holds `keys` by reference (no copy): normalise them first when cosine similarity is wanted. */
  constructor(keys: Embeddings) {
    this.dim = keys.dim;
    this.size = keys.rows;
    this.keys = keys.data;
  }

  async search(queries: Embeddings, k: number, control: JobControl = {}): Promise<SearchHits> {
    const keys = this.keys;
    if (!keys) throw new Bioscan5mError('search: the index was disposed');
    checkSearchArgs(this.dim, queries, k);
    return searchInBlocks(queries.rows, k, QUERY_BLOCK, control, async (q0, q1, heaps) =>
      searchBlock(keys, this.size, this.dim, queries.data, q0, q1, heaps),
    );
  }

  async dispose(): Promise<void> {
    this.keys = null;
  }
}

/**
 * The query loop every engine shares: blocks of `block` queries, `fill(q0, q1, heaps)` leaves each query's best
 * keys in heaps[q - q0], then the heaps are drained best first; abort and progress between blocks.
 */
export async function searchInBlocks(
  nq: number,
  k: number,
  block: number,
  control: JobControl,
  fill: (q0: number, q1: number, heaps: TopK[]) => Promise<void>,
): Promise<SearchHits> {
  const indices = new Int32Array(nq * k);
  const scores = new Float32Array(nq * k);
  const heaps = Array.from({ length: block }, () => new TopK(k));
  for (let q0 = 0; q0 < nq; q0 += block) {
    if (control.signal?.aborted) throw new Bioscan5mError('search interrupted', 'BIOSCAN5M_INTERRUPTED');
    const q1 = Math.min(nq, q0 + block);
    await fill(q0, q1, heaps);
    for (let q = q0; q < q1; q++) heaps[q - q0].drain(indices, scores, q * k);
    control.onProgress?.(q1, nq);
    // Let signal handlers and progress output run between blocks.
    if (q1 < nq) await new Promise((r) => setImmediate(r));
  }
  return { rows: nq, k, indices, scores };
}

export function checkSearchArgs(dim: number, queries: Embeddings, k: number): void {
  if (queries.dim !== dim)
    throw new Bioscan5mError(
      `search: queries have ${queries.dim} dimensions but the keys have ${dim}`,
      'BIOSCAN5M_INPUT',
    );
  if (!Number.isInteger(k) || k < 1) throw new UsageError(`must be a positive integer, got ${k}`, 'k');
}

/**
 * Scores queries [q0, q1) against every key and leaves the best in `heaps[q - q0]`. Tiles are 4 x 4; a ragged
 * edge repeats the last row and drops its pushes, so one kernel serves every shape.
 */
function searchBlock(
  keys: Float32Array,
  nk: number,
  d: number,
  Q: Float32Array,
  q0: number,
  q1: number,
  heaps: TopK[],
): void {
  for (let kb = 0; kb < nk; kb += KEY_BLOCK) {
    const kEnd = Math.min(nk, kb + KEY_BLOCK);
    for (let q = q0; q < q1; q += 4) {
      const nqt = Math.min(4, q1 - q);
      const a = q * d;
      const b = (q + Math.min(1, nqt - 1)) * d;
      const c = (q + Math.min(2, nqt - 1)) * d;
      const e = (q + Math.min(3, nqt - 1)) * d;
      const h0 = heaps[q - q0];
      const h1 = heaps[q - q0 + 1];
      const h2 = heaps[q - q0 + 2];
      const h3 = heaps[q - q0 + 3];
      for (let j = kb; j < kEnd; j += 4) {
        const nkt = Math.min(4, kEnd - j);
        const o0 = j * d;
        const o1 = (j + Math.min(1, nkt - 1)) * d;
        const o2 = (j + Math.min(2, nkt - 1)) * d;
        const o3 = (j + Math.min(3, nkt - 1)) * d;
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0,
          s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        let s20 = 0,
          s21 = 0,
          s22 = 0,
          s23 = 0,
          s30 = 0,
          s31 = 0,
          s32 = 0,
          s33 = 0;
        for (let t = 0; t < d; t++) {
          const x0 = keys[o0 + t],
            x1 = keys[o1 + t],
            x2 = keys[o2 + t],
            x3 = keys[o3 + t];
          const y0 = Q[a + t],
            y1 = Q[b + t],
            y2 = Q[c + t],
            y3 = Q[e + t];
          s00 += y0 * x0;
          s01 += y0 * x1;
          s02 += y0 * x2;
          s03 += y0 * x3;
          s10 += y1 * x0;
          s11 += y1 * x1;
          s12 += y1 * x2;
          s13 += y1 * x3;
          s20 += y2 * x0;
          s21 += y2 * x1;
          s22 += y2 * x2;
          s23 += y2 * x3;
          s30 += y3 * x0;
          s31 += y3 * x1;
          s32 += y3 * x2;
          s33 += y3 * x3;
        }
        offer(h0, j, nkt, s00, s01, s02, s03);
        if (nqt > 1) offer(h1, j, nkt, s10, s11, s12, s13);
        if (nqt > 2) offer(h2, j, nkt, s20, s21, s22, s23);
        if (nqt > 3) offer(h3, j, nkt, s30, s31, s32, s33);
      }
    }
  }
}

/** Pushes the tile's scores for keys j..j+n-1 in index order (so equal scores keep the lower index). */
function offer(h: TopK, j: number, n: number, s0: number, s1: number, s2: number, s3: number): void {
  // Keys arrive in increasing index, so a score equal to the threshold never displaces a kept key.
  if (s0 > h.threshold) h.push(s0, j);
  if (n > 1 && s1 > h.threshold) h.push(s1, j + 1);
  if (n > 2 && s2 > h.threshold) h.push(s2, j + 2);
  if (n > 3 && s3 > h.threshold) h.push(s3, j + 3);
}

/** Exact inner product of two rows, summed in float64 in index order (the same sums the kernel forms). */
export function dotRow(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += a[ao + t] * b[bo + t];
  return s;
}
