/**
 * Retrieval accuracy as the CLIBD evaluation computes it: a query hits at rank r and depth k when its label at r
 * is among the labels of its k nearest keys. Micro = share of queries that hit; macro = unweighted mean over the
 * query classes of the per-class hit rate; H = 2SU/(S+U) of the seen and unseen sets. Values are percentages.
 */
import { Bioscan5mError } from '@bioscan5m/core';

export const DEFAULT_RANKS = ['order', 'family', 'genus', 'species'] as const;
export const DEFAULT_KS = [1, 3, 5] as const;

export type QuerySet = 'seen' | 'unseen';

export interface AccuracyRow {
  rank: string;
  k: number;
  set: QuerySet;
  /** Percent of queries that hit; null when the set has no query labelled at this rank. */
  micro: number | null;
  /** Mean per-class hit rate, percent; null as above. */
  macro: number | null;
  /** Queries labelled at this rank (the others are left out and counted in `unlabelled`). */
  queries: number;
  classes: number;
  unlabelled: number;
}

export interface HarmonicRow {
  rank: string;
  k: number;
  micro: number | null;
  macro: number | null;
}

export interface RetrievalAccuracy {
  rows: AccuracyRow[];
  harmonicMean: HarmonicRow[];
}

export interface RetrievalAccuracyInput {
  /** Nearest keys of every query, best first: queries x maxK indices (-1 = none). */
  neighbours: Int32Array;
  maxK: number;
  /** Labels of each key per rank (empty string = not labelled). */
  keyLabels: Readonly<Record<string, readonly string[]>>;
  /** Labels of each query per rank. */
  queryLabels: Readonly<Record<string, readonly string[]>>;
  /** Which set each query belongs to. */
  querySets: readonly QuerySet[];
  ranks?: readonly string[];
  ks?: readonly number[];
}

export function retrievalAccuracy(input: RetrievalAccuracyInput): RetrievalAccuracy {
  const ranks = input.ranks ?? DEFAULT_RANKS;
  const ks = input.ks ?? DEFAULT_KS;
  const { neighbours, maxK, querySets } = input;
  const nq = querySets.length;
  if (neighbours.length !== nq * maxK)
    throw new Bioscan5mError(`retrievalAccuracy: ${neighbours.length} neighbour slots for ${nq} queries x ${maxK}`);
  for (const k of ks)
    if (!Number.isInteger(k) || k < 1 || k > maxK)
      throw new Bioscan5mError(`retrievalAccuracy: k=${k} is outside 1..${maxK}`);
  const rows: AccuracyRow[] = [];
  const harmonicMean: HarmonicRow[] = [];
  for (const rank of ranks) {
    const keyL = input.keyLabels[rank];
    const qL = input.queryLabels[rank];
    if (!keyL || !qL) throw new Bioscan5mError(`retrievalAccuracy: no labels for rank '${rank}'`);
    // First depth at which each query hits (maxK + 1 = never): one pass serves every k.
    const firstHit = new Int32Array(nq).fill(maxK + 1);
    for (let q = 0; q < nq; q++) {
      const label = qL[q];
      if (label === '') continue;
      for (let j = 0; j < maxK; j++) {
        const id = neighbours[q * maxK + j];
        if (id >= 0 && keyL[id] === label) {
          firstHit[q] = j + 1;
          break;
        }
      }
    }
    for (const k of ks) {
      const bySet = {} as Record<QuerySet, AccuracyRow>;
      for (const set of ['seen', 'unseen'] as const) {
        const perClass = new Map<string, { hits: number; n: number }>();
        let hits = 0;
        let n = 0;
        let unlabelled = 0;
        for (let q = 0; q < nq; q++) {
          if (querySets[q] !== set) continue;
          const label = qL[q];
          if (label === '') {
            unlabelled++;
            continue;
          }
          const hit = firstHit[q] <= k ? 1 : 0;
          n++;
          hits += hit;
          const c = perClass.get(label);
          if (c) {
            c.n++;
            c.hits += hit;
          } else perClass.set(label, { hits: hit, n: 1 });
        }
        let macroSum = 0;
        for (const c of perClass.values()) macroSum += c.hits / c.n;
        const row: AccuracyRow = {
          rank,
          k,
          set,
          micro: n ? (100 * hits) / n : null,
          macro: n ? (100 * macroSum) / perClass.size : null,
          queries: n,
          classes: perClass.size,
          unlabelled,
        };
        bySet[set] = row;
        rows.push(row);
      }
      harmonicMean.push({
        rank,
        k,
        micro: harmonic(bySet.seen.micro, bySet.unseen.micro),
        macro: harmonic(bySet.seen.macro, bySet.unseen.macro),
      });
    }
  }
  return { rows, harmonicMean };
}

/** 2SU/(S+U); 0 when both are 0; null when either is missing. */
export function harmonic(s: number | null, u: number | null): number | null {
  if (s === null || u === null) return null;
  return s + u === 0 ? 0 : (2 * s * u) / (s + u);
}
