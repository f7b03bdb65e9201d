/**
 * createSearchIndex: faiss-node where it loads, else onnxruntime's Gemm + TopK (OnnxSearchIndex), else the
 * JavaScript kernel (ExactSearchIndex). Every backend returns the same neighbours (the built-in tie rule).
 */
import { Bioscan5mError, type Embeddings } from '@bioscan5m/core';
import { ExactSearchIndex } from './exact-search.js';
import { FaissSearchIndex } from './faiss-search.js';
import { OnnxSearchIndex } from './onnx-search.js';
import type { SearchIndex } from './search-index.js';

export interface SearchIndexOptions {
  /** 'auto' (default): faiss, then onnx, then exact, whichever loads first; a named one fails when missing. */
  backend?: 'auto' | 'exact' | 'onnx' | 'faiss';
  /** onnxruntime intra-op threads (default: its own choice). */
  threads?: number;
}

export async function createSearchIndex(keys: Embeddings, options: SearchIndexOptions = {}): Promise<SearchIndex> {
  const backend = options.backend ?? 'auto';
  if (backend === 'exact') return new ExactSearchIndex(keys);
  if (backend === 'faiss') return FaissSearchIndex.create(keys);
  if (backend === 'onnx') return OnnxSearchIndex.create(keys, options.threads);
  for (const make of [() => FaissSearchIndex.create(keys), () => OnnxSearchIndex.create(keys, options.threads)]) {
    try {
      return await make();
    } catch (err) {
      if (!(Bioscan5mError.isInstance(err) && err.code === 'BIOSCAN5M_MISSING_DEPENDENCY')) throw err;
    }
  }
  return new ExactSearchIndex(keys);
}
