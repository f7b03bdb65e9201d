/**
 * Reference set for identification: records are cleaned, identical cleaned barcodes are grouped (one indexed
 * sequence per distinct barcode, with every lineage seen on it and how often), and unusable rows are listed.
 */
import { TAXONOMIC_RANKS } from '@bioscan5m/core';
import { cleanBarcode, type CleaningCounts, emptyCleaningCounts, addCleaningCounts } from './clean.js';

/** The seven ranks predicted, phylum to species. */
export const IDENTIFY_RANKS = TAXONOMIC_RANKS;
export type Lineage = readonly string[];

export interface ReferenceRecord {
  /** Identifier reported as the nearest reference. */
  id: string;
  /** Raw barcode (cleaned here). */
  barcode: string;
  /** Labels phylum..species in IDENTIFY_RANKS order; empty string = unknown. */
  lineage: Lineage;
}

export interface SkippedReference {
  /** Index of the record in the input. */
  index: number;
  id: string;
  reason: string;
}

export interface ReferenceSet {
  /** Cleaned sequence of each group. */
  sequences: Uint8Array[];
  /** A/C/G/T count of each group's sequence. */
  acgt: Int32Array;
  /** For each group: distinct lineage ids and how many records carry each. */
  groupLineages: { lineage: number; count: number }[][];
  /** First record id of each group. */
  groupFirstId: string[];
  /** Interned lineages. */
  lineages: Lineage[];
  records: number;
  skipped: SkippedReference[];
  cleaning: CleaningCounts;
}

export interface ReferenceOptions {
  /** Minimum A/C/G/T bases for a usable barcode (default 50). */
  minBases?: number;
}

export function buildReferenceSet(records: Iterable<ReferenceRecord>, opts: ReferenceOptions = {}): ReferenceSet {
  const minBases = opts.minBases ?? 50;
  // Identical barcodes (core's barcode rule) are found by core's 53-bit barcode hash, no string per barcode;
  // the cleaned codes are compared too, so a hash collision never merges two sequences.
  const bySeq = new Map<number, number[]>();
  const sequences: Uint8Array[] = [];
  const acgt: number[] = [];
  const groupLineages: { lineage: number; count: number }[][] = [];
  const groupFirstId: string[] = [];
  const lineageIds = new Map<string, number>();
  const lineages: Lineage[] = [];
  const skipped: SkippedReference[] = [];
  const cleaning = emptyCleaningCounts();
  let index = 0;
  let used = 0;
  for (const rec of records) {
    const i = index++;
    const cleaned = cleanBarcode(rec.barcode ?? '');
    addCleaningCounts(cleaning, cleaned.counts);
    if (cleaned.acgt < minBases) {
      skipped.push({
        index: i,
        id: rec.id,
        reason: cleaned.acgt === 0 ? 'no usable sequence' : `only ${cleaned.acgt} A/C/G/T bases (minimum ${minBases})`,
      });
      continue;
    }
    if (!rec.lineage.some((v) => v)) {
      skipped.push({ index: i, id: rec.id, reason: 'no taxonomic label at any rank' });
      continue;
    }
    used++;
    const key = cleaned.key;
    const bucket = bySeq.get(key);
    let g = bucket?.find((x) => sameCodes(sequences[x], cleaned.codes));
    if (g === undefined) {
      g = sequences.length;
      if (bucket) bucket.push(g);
      else bySeq.set(key, [g]);
      sequences.push(cleaned.codes);
      acgt.push(cleaned.acgt);
      groupLineages.push([]);
      groupFirstId.push(rec.id);
    }
    const lkey = rec.lineage.join('\u0001');
    let l = lineageIds.get(lkey);
    if (l === undefined) {
      l = lineages.length;
      lineageIds.set(lkey, l);
      lineages.push([...rec.lineage]);
    }
    const list = groupLineages[g];
    const e = list.find((x) => x.lineage === l);
    if (e) e.count++;
    else list.push({ lineage: l, count: 1 });
  }
  return {
    sequences,
    acgt: Int32Array.from(acgt),
    groupLineages,
    groupFirstId,
    lineages,
    records: used,
    skipped,
    cleaning,
  };
}

function sameCodes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
