/** createSearchIndex: faiss-node where it loads (or when asked for), the built-in exact search otherwise. */
import { Bioscan5mError, type Embeddings } from '@bioscan5m/core';
import { ExactSearchIndex } from './exact-search.js';
import { FaissSearchIndex } from './faiss-search.js';
import type { SearchIndex } from './search-index.js';

export interface SearchIndexOptions {
  /** 'auto' (default): faiss-node when it loads, else exact; 'faiss' fails when faiss-node is missing. */
  backend?: 'auto' | 'exact' | 'faiss';
}

export async function createSearchIndex(keys: Embeddings, options: SearchIndexOptions = {}): Promise<SearchIndex> {
  const backend = options.backend ?? 'auto';
  if (backend === 'exact') return new ExactSearchIndex(keys);
  if (backend === 'faiss') return FaissSearchIndex.create(keys);
  try {
    return await FaissSearchIndex.create(keys);
  } catch (err) {
    if (Bioscan5mError.isInstance(err) && err.code === 'BIOSCAN5M_MISSING_DEPENDENCY') return new ExactSearchIndex(keys);
    throw err;
  }
}
