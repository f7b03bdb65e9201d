/** runClipEvalJob: retrieval accuracy of query embeddings against key embeddings, from files (any encoder's). */
import { Bioscan5mError, type JobControl } from '@bioscan5m/core';
import { readEmbeddingsNpy } from '../io/embeddings-file.js';
import { querySetsOf, readRetrievalLabels } from '../io/labels-file.js';
import { DEFAULT_KS, DEFAULT_RANKS, retrievalAccuracy, type RetrievalAccuracy } from './accuracy.js';
import { createSearchIndex } from './create-index.js';
import { l2NormalizeInPlace } from './normalize.js';
import type { SearchBackend } from './search-index.js';

export interface ClipEvalJobOptions extends JobControl {
  keys: string;
  keyLabels: string;
  queries: string;
  queryLabels: string;
  ranks?: readonly string[];
  ks?: readonly number[];
  /** Search engine (default 'auto': faiss-node, else onnxruntime, else the JavaScript kernel). */
  search?: 'auto' | 'exact' | 'onnx' | 'faiss';
  /** L2-normalise both sides first (the reference does; default true). */
  normalize?: boolean;
}

export interface ClipEvalJobSummary extends RetrievalAccuracy {
  keys: { file: string; rows: number; dim: number };
  queries: { file: string; rows: number; seen: number; unseen: number };
  backend: SearchBackend;
  normalized: boolean;
  ranks: string[];
  ks: number[];
  seconds: { search: number; total: number };
}

export async function runClipEvalJob(options: ClipEvalJobOptions): Promise<ClipEvalJobSummary> {
  const t0 = performance.now();
  const ranks = [...(options.ranks ?? DEFAULT_RANKS)];
  const ks = [...(options.ks ?? DEFAULT_KS)].sort((a, b) => a - b);
  const normalize = options.normalize ?? true;
  const keys = readEmbeddingsNpy(options.keys);
  const queries = readEmbeddingsNpy(options.queries);
  if (keys.dim !== queries.dim) {
    throw new Bioscan5mError(
      `${options.queries} has ${queries.dim} dimensions but ${options.keys} has ${keys.dim}: queries and keys must share one embedding space`,
      'BIOSCAN5M_INPUT',
    );
  }
  const keyLabels = await readRetrievalLabels(options.keyLabels, ranks, false);
  const queryLabels = await readRetrievalLabels(options.queryLabels, ranks, true);
  checkRows(options.keys, keys.rows, options.keyLabels, keyLabels.rows);
  checkRows(options.queries, queries.rows, options.queryLabels, queryLabels.rows);
  if (keys.rows === 0) throw new Bioscan5mError(`${options.keys}: no key rows`, 'BIOSCAN5M_INPUT');
  if (normalize) {
    l2NormalizeInPlace(keys);
    l2NormalizeInPlace(queries);
  }
  const maxK = ks[ks.length - 1];
  const index = await createSearchIndex(keys, { backend: options.search });
  const t1 = performance.now();
  let hits;
  try {
    hits = await index.search(queries, maxK, options);
  } finally {
    await index.dispose();
  }
  const t2 = performance.now();
  const querySets = querySetsOf(queryLabels.split!);
  const acc = retrievalAccuracy({
    neighbours: hits.indices,
    maxK,
    keyLabels: keyLabels.ranks,
    queryLabels: queryLabels.ranks,
    querySets,
    ranks,
    ks,
  });
  const unseen = querySets.filter((s) => s === 'unseen').length;
  return {
    keys: { file: options.keys, rows: keys.rows, dim: keys.dim },
    queries: { file: options.queries, rows: queries.rows, seen: queries.rows - unseen, unseen },
    backend: index.backend,
    normalized: normalize,
    ranks,
    ks,
    ...acc,
    seconds: { search: (t2 - t1) / 1000, total: (performance.now() - t0) / 1000 },
  };
}

function checkRows(embFile: string, embRows: number, labelFile: string, labelRows: number): void {
  if (embRows !== labelRows) {
    throw new Bioscan5mError(
      `${embFile} has ${embRows} embedding rows but ${labelFile} has ${labelRows} label rows: they must align one to one`,
      'BIOSCAN5M_INPUT',
    );
  }
}
