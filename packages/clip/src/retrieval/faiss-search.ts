/**
 * faiss-node's IndexFlatIP behind the SearchIndex interface (optional peer, loaded on first use). faiss orders
 * equal scores its own way (1.7.3 returns tied keys highest index first) and sums in float32 through BLAS, so the
 * candidates it returns are re-scored exactly and re-ranked by the built-in rule (higher score, then lower index):
 * both backends then give the same neighbours, ties included, as long as no more than TIE_MARGIN extra keys tie
 * at the k-th place.
 */
import { createRequire } from 'node:module';
import { Bioscan5mError, loadOptional, type Embeddings, type JobControl } from '@bioscan5m/core';
import { checkSearchArgs, dotRow, searchInBlocks } from './exact-search.js';
import type { SearchHits, SearchIndex } from './search-index.js';

const TIE_MARGIN = 16;
const QUERY_BLOCK = 256;

interface FaissIndex {
  add(x: number[]): void;
  search(x: number[], k: number): { distances: number[]; labels: number[] };
  ntotal(): number;
}
interface FaissModule {
  IndexFlatIP: new (d: number) => FaissIndex;
}

const req = createRequire(import.meta.url);

/** faiss-node is a CommonJS addon: required at run time, so that bundlers and test transforms leave it alone. */
export async function loadFaiss(): Promise<FaissModule> {
  return loadOptional('faiss-node', 'faiss search', async () => req('faiss-node') as FaissModule);
}

export class FaissSearchIndex implements SearchIndex {
  readonly backend = 'faiss' as const;
  readonly dim: number;
  readonly size: number;
  private keys: Float32Array | null;
  private readonly index: FaissIndex;

  private constructor(keys: Embeddings, index: FaissIndex) {
    this.dim = keys.dim;
    this.size = keys.rows;
    this.keys = keys.data;
    this.index = index;
  }

  static async create(keys: Embeddings): Promise<FaissSearchIndex> {
    const faiss = await loadFaiss();
    const index = new faiss.IndexFlatIP(keys.dim);
    // faiss-node's add takes a plain array: add in slices to bound the temporary copy.
    const step = Math.max(1, Math.floor(4_000_000 / Math.max(1, keys.dim))) * keys.dim;
    for (let o = 0; o < keys.data.length; o += step) index.add(Array.from(keys.data.subarray(o, o + step)));
    return new FaissSearchIndex(keys, index);
  }

  async search(queries: Embeddings, k: number, control: JobControl = {}): Promise<SearchHits> {
    const keys = this.keys;
    if (!keys) throw new Bioscan5mError('search: the index was disposed');
    checkSearchArgs(this.dim, queries, k);
    const d = queries.dim;
    const kk = Math.min(this.size, k + TIE_MARGIN);
    return searchInBlocks(queries.rows, k, QUERY_BLOCK, control, async (q0, q1, heaps) => {
      const res = kk > 0 ? this.index.search(Array.from(queries.data.subarray(q0 * d, q1 * d)), kk) : { labels: [] };
      for (let q = q0; q < q1; q++) {
        for (let j = 0; j < kk; j++) {
          const id = res.labels[(q - q0) * kk + j];
          if (id >= 0) heaps[q - q0].push(dotRow(queries.data, q * d, keys, id * d, d), id);
        }
      }
    });
  }

  async dispose(): Promise<void> {
    this.keys = null;
  }
}
