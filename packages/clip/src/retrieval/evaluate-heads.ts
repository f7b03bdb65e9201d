/**
 * Retrieval accuracy of a paired set through projection heads, in memory: keys = train + key_unseen records,
 * queries = test + test_unseen (or val + val_unseen), as the reference evaluates. `heads` null scores the raw
 * frozen features (same-modality pairs only).
 */
import { Bioscan5mError, type Modality } from '@bioscan5m/core';
import type { ClipHeads } from '../train/heads.js';
import { project } from '../train/heads.js';
import { selectRows, type PairedFeatures } from '../train/paired-data.js';
import { querySetsOf } from '../io/labels-file.js';
import { DEFAULT_KS, DEFAULT_RANKS, retrievalAccuracy, type RetrievalAccuracy } from './accuracy.js';
import { ExactSearchIndex } from './exact-search.js';
import { l2NormalizeInPlace } from './normalize.js';

export interface EvaluateHeadsOptions {
  data: PairedFeatures;
  heads: ClipHeads | null;
  query: Modality;
  key: Modality;
  /** Splits of the key and query records (default: train + key_unseen, test + test_unseen). */
  keySplits?: readonly string[];
  querySplits?: readonly string[];
  ranks?: readonly string[];
  ks?: readonly number[];
}

export async function evaluateHeads(o: EvaluateHeadsOptions): Promise<RetrievalAccuracy> {
  const pick = (splits: readonly string[]) =>
    selectRows(
      o.data,
      o.data.split.map((s, i) => (splits.includes(s) ? i : -1)).filter((i) => i >= 0),
    );
  const keys = pick(o.keySplits ?? ['train', 'key_unseen']);
  const queries = pick(o.querySplits ?? ['test', 'test_unseen']);
  const embed = (p: PairedFeatures, m: Modality) => {
    const x = p.features[m];
    if (!x) throw new Bioscan5mError(`no ${m} features`);
    if (!o.heads) return l2NormalizeInPlace({ rows: x.rows, dim: x.dim, data: Float32Array.from(x.data) });
    return l2NormalizeInPlace({ rows: x.rows, dim: o.heads.dim, data: project(o.heads, m, x.data, x.rows) });
  };
  const ks = [...(o.ks ?? DEFAULT_KS)].sort((a, b) => a - b);
  const index = new ExactSearchIndex(embed(keys, o.key));
  const hits = await index.search(embed(queries, o.query), ks[ks.length - 1]);
  return retrievalAccuracy({
    neighbours: hits.indices,
    maxK: hits.k,
    keyLabels: keys.labels,
    queryLabels: queries.labels,
    querySets: querySetsOf(queries.split),
    ranks: o.ranks ?? DEFAULT_RANKS,
    ks,
  });
}
