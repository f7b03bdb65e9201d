/** The one search interface: exact maximum-inner-product search over a fixed key set. */
import type { Disposable, Embeddings, JobControl } from '@bioscan5m/core';

/** The k nearest keys of each query, best first. */
export interface SearchHits {
  /** Number of queries. */
  readonly rows: number;
  readonly k: number;
  /** rows x k key indices (row-major); -1 where there are fewer keys than k. */
  readonly indices: Int32Array;
  /** rows x k inner products, matching `indices`; -Infinity where the index is -1. */
  readonly scores: Float32Array;
}

export type SearchBackend = 'exact' | 'onnx' | 'faiss';

export interface SearchIndex extends Disposable {
  /** Which engine answers: the built-in exact search (JavaScript or onnxruntime) or faiss-node's IndexFlatIP. */
  readonly backend: SearchBackend;
  readonly dim: number;
  /** Number of keys. */
  readonly size: number;
  /**
   * The k keys with the largest inner product with each query. Ties rank by the lower key index, on every backend.
   * Queries are processed in blocks (no queries x keys score matrix is built); progress counts queries.
   */
  search(queries: Embeddings, k: number, control?: JobControl): Promise<SearchHits>;
}
